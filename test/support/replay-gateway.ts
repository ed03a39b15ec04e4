import path from 'node:path';
import { createGateway } from '../../server/app';
import { freePort } from '../../devnet/stack/ports';
import { loadEntityTypes } from '../../bench/replay/entities';
import { readRecording } from '../../bench/replay/recording';
import { startReplayServer } from '../../bench/replay/server';
import { synthesize } from '../../bench/replay/store';

/** Recorded by bench/replay/record.ts from the real devnet stack (Aave V3.0, 50 accounts, a gateway without an RPC). */
export const replayRecording = readRecording(path.join(__dirname, '..', 'fixtures', 'replay', 'aave-v3.0-50.json.gz'));

/** The real gateway over the replayed subgraph at the recording's head; `stop` ends both. */
export async function startReplayGateway(options: { maxFirst?: number } = {}): Promise<{ url: string; stop: () => Promise<void> }> {
  const store = synthesize(replayRecording, loadEntityTypes());
  store.setHead(replayRecording.head.number);
  const replay = await startReplayServer(store);
  const gateway = await createGateway({ endpoints: [{ name: replayRecording.endpoint, url: replay.url }], ...options }).listen(await freePort());
  return {
    url: gateway.url,
    stop: async () => {
      await gateway.stop();
      await replay.stop();
    },
  };
}
