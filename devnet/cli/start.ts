import fs from 'node:fs';
import path from 'node:path';
import { StackError } from '../stack/errors';
import { startStack, type RunningStack } from '../stack/launch';
import { Teardown } from '../stack/teardown';
import { redactUrl } from '../stack/redact';
import { EXAMPLE_QUERIES } from '../../server/landing';
import { MAINNET_SUBGRAPHS, helpText, parseFlags, portsFrom, protocolsFrom, repoRoot } from './options';
import { formatProgress, ProgressLine } from './progress';

const started = Date.now();
const stamp = (line: string) => `[stack ${((Date.now() - started) / 1000).toFixed(1).padStart(6)}s] ${line}`;
// Indexing progress: one line redrawn in place on a terminal, a line every 5 s (and the last) otherwise.
const progress = new ProgressLine({
  tty: Boolean(process.stdout.isTTY),
  columns: process.stdout.columns,
  write: (text) => process.stdout.write(text),
  render: (p) => stamp(formatProgress(p)),
});
const say = (line: string) => {
  progress.end();
  console.log(stamp(line));
};

/**
 * `npm start`: the local stack with the seeded market-crash scenario, indexed to the head. It keeps
 * running until Ctrl-C / SIGTERM (or exits once indexed with --exit-when-synced) and stops every
 * process it started in every case.
 */
async function main(): Promise<number> {
  const flags = parseFlags(process.argv.slice(2), process.env);
  if (flags.help) {
    console.log(helpText());
    return 0;
  }
  const workDir = path.resolve((flags['work-dir'] as string | undefined) ?? path.join(repoRoot, '.stack'));
  const rpcUrl = flags.rpc as string | undefined;

  const teardown = new Teardown();
  // Whatever ends this process (an uncaught error, process.exit), no child may outlive it.
  process.on('exit', () => teardown.killGroupsSync());
  let stopping: Promise<void> | undefined;
  const shutdown = (why: string) => {
    stopping ??= (async () => {
      say(`${why}: stopping`);
      await teardown.run(say);
    })();
    return stopping;
  };
  let interrupted: ((code: number) => void) | undefined;
  const interruption = new Promise<number>((resolve) => (interrupted = resolve));
  for (const [signal, code] of [['SIGINT', 130], ['SIGTERM', 143], ['SIGHUP', 129]] as const) {
    process.on(signal, () => void shutdown(signal).then(() => interrupted?.(code)));
  }
  if (flags['stop-on-stdin-close']) {
    process.stdin.on('end', () => void shutdown('stdin closed').then(() => interrupted?.(1)));
    process.stdin.resume();
  }

  const starting = startStack({
    rpcUrl,
    network: (flags.network as string | undefined) ?? (rpcUrl ? 'mainnet' : 'devnet'),
    postgresUrl: flags.postgres as string | undefined,
    postgresDir: flags['postgres-dir'] as string | undefined,
    ports: portsFrom(flags),
    seed: (flags.seed as string | undefined) ?? 'baddebt',
    accounts: (flags.accounts as number | undefined) ?? 50,
    workDir,
    protocols: protocolsFrom(flags),
    manifests: MAINNET_SUBGRAPHS,
    syncTimeoutMs: ((flags['sync-timeout'] as number | undefined) ?? 1800) * 1000,
    log: say,
    teardown,
    onProgress: (p) => progress.update(p),
  });
  const outcome = await Promise.race([starting.then(() => 'up' as const), interruption]);
  if (outcome !== 'up') {
    // Interrupted during start-up: the teardown already stopped what was running; the step in
    // progress fails on its own.
    await starting.catch(() => undefined);
    return outcome;
  }
  const stack = await starting;
  // A component that dies while the stack runs ends it (the launcher does not restart components):
  // one log line, everything else stopped, exit code 1.
  stack.failed.catch((err: unknown) => {
    if (stopping) return;
    void shutdown(`${(err as Error).message}`).then(() => interrupted?.(1));
  });

  const stateFile = path.resolve((flags['state-file'] as string | undefined) ?? path.join(workDir, 'state.json'));
  // Readable by this user only (it names the stack's endpoints); URLs in it are redacted (redactUrl).
  fs.writeFileSync(stateFile, JSON.stringify(stateOf(stack), (_, v) => (typeof v === 'bigint' ? v.toString() : v), 2), { mode: 0o600 });
  fs.chmodSync(stateFile, 0o600);
  say(`indexed to block ${stack.indexedBlock} in ${((Date.now() - started) / 1000).toFixed(1)} s; state: ${stateFile}`);
  say(`chain RPC:        ${redactUrl(stack.rpcUrl)}`);
  for (const [name, url] of Object.entries(stack.subgraphs)) say(`subgraph ${name}: ${url}`);
  say(`indexing status:  ${stack.statusUrl}`);
  say(`gateway:          ${stack.gatewayUrl}  (open it in a browser for the dashboard)`);
  say('try, e.g.:');
  for (const example of EXAMPLE_QUERIES.slice(0, 2)) {
    console.log(`  curl -s ${stack.gatewayUrl} -H 'content-type: application/json' -d '${JSON.stringify({ query: example.query })}'`);
  }
  console.log(`READY ${JSON.stringify({ stateFile })}`);

  if (flags['exit-when-synced']) {
    await shutdown('indexed');
    return 0;
  }
  say('running; Ctrl-C stops everything');
  return interruption;
}

function stateOf(stack: RunningStack) {
  return {
    rpcUrl: redactUrl(stack.rpcUrl),
    network: stack.network,
    subgraphs: stack.subgraphs,
    gatewayUrl: stack.gatewayUrl,
    statusUrl: stack.statusUrl,
    indexedBlock: stack.indexedBlock,
    logDir: stack.logDir,
    devnet: stack.devnet,
  };
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    progress.end();
    if (err instanceof StackError) {
      console.error(`\nstack failed [${err.code}]: ${err.message}`);
      if (err.logTail.length) console.error(`last lines it printed:\n  ${err.logTail.slice(-25).join('\n  ')}`);
    } else {
      console.error('\nstack failed:', err);
    }
    process.exit(1);
  },
);
