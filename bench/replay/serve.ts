/**
 * The replay server as a process of its own (so the gateway's memory and CPU are measured alone):
 *   node --import tsx bench/replay/serve.ts [--recording FILE] [--accounts N] [--head-blocks B] [--port P]
 * Prints one JSON line on stdout once it listens: { url, base, head, summary, synthMs, rssBytes }.
 */
import { loadEntityTypes } from './entities';
import { DEFAULT_RECORDING, readRecording } from './recording';
import { startReplayServer } from './server';
import { synthesize } from './store';

function flag(name: string): string | undefined {
  const argv = process.argv.slice(2);
  const at = argv.findIndex((a) => a === `--${name}` || a.startsWith(`--${name}=`));
  if (at < 0) return undefined;
  return argv[at].includes('=') ? argv[at].split('=')[1] : argv[at + 1];
}

async function main() {
  const started = performance.now();
  const recording = readRecording(flag('recording') ?? DEFAULT_RECORDING);
  const accounts = flag('accounts');
  const store = synthesize(recording, loadEntityTypes(), { accounts: accounts === undefined ? undefined : Number(accounts), headBlocks: Number(flag('head-blocks') ?? 1) });
  const synthMs = performance.now() - started;
  const server = await startReplayServer(store, { port: Number(flag('port') ?? 0), log: (l) => console.error(`[replay] ${l}`) });
  const stop = () => void server.stop().then(() => process.exit(0));
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  console.log(JSON.stringify({ url: server.url, base: recording.base.number, head: store.blocks().at(-1), summary: store.summary, synthMs: Math.round(synthMs), rssBytes: process.memoryUsage().rss }));
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
