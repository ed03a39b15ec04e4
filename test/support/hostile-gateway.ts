/**
 * The gateway under the hostile battery (test/unit/gateway-hostile.test.ts), in its own process so its
 * event loop is measured alone: not jest's, whose heap grows with every test file it runs in band. It
 * serves the replay of the 50-account recording (bench/replay) to two gateways (introspection off and
 * on) and answers the parent's messages: `measure` resets the event-loop delay histogram and starts it,
 * `max` returns the largest delay (ms) since the last `max`, and the CPU time this process used in that
 * window (a delay longer than that was the machine not running this process, not the gateway's work),
 * and resets both.
 */
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { createGateway } from '../../server/app';
import { freePort } from '../../devnet/stack/ports';
import { loadEntityTypes } from '../../bench/replay/entities';
import { readRecording } from '../../bench/replay/recording';
import { startReplayServer } from '../../bench/replay/server';
import { synthesize } from '../../bench/replay/store';

const FIXTURE = path.join(__dirname, '..', 'fixtures', 'replay', 'aave-v3.0-50.json.gz');

async function main() {
  const replay = await startReplayServer(synthesize(readRecording(FIXTURE), loadEntityTypes()));
  const endpoints = [{ name: 'aave-v3', url: replay.url }];
  const gateway = await createGateway({ endpoints, requestTimeoutMs: 20_000 }).listen(await freePort());
  const introspective = await createGateway({ endpoints, introspection: true }).listen(await freePort());
  const histogram = monitorEventLoopDelay({ resolution: 10 });
  let cpu = process.cpuUsage();
  process.on('message', (m: { kind: string }) => {
    if (m.kind === 'measure') {
      histogram.reset();
      histogram.enable();
      cpu = process.cpuUsage();
      process.send!({ kind: 'measuring' });
    } else if (m.kind === 'max') {
      const used = process.cpuUsage(cpu);
      process.send!({ kind: 'max', ms: histogram.max / 1e6, cpuMs: (used.user + used.system) / 1000, unsupported: replay.stats.unsupported });
      histogram.reset();
      cpu = process.cpuUsage();
    }
  });
  // The parent's end is this process's end (no orphan if the test is killed).
  process.on('disconnect', () => process.exit(0));
  process.send!({ kind: 'ready', url: gateway.url, introspectiveUrl: introspective.url, replayUrl: replay.url });
}

void main().catch((err) => {
  console.error(err);
  process.exit(1);
});
