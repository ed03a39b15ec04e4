/** The devnet stack for a benchmark: free ports (unless given), a work directory, N accounts. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { helpText, parseFlags, portsFrom, protocolsFrom, type FlagSpec, type ParsedFlags } from '../devnet/cli/options';
import type { DevnetProtocol } from '../devnet/protocols';
import { startStack, type RunningStack } from '../devnet/stack/launch';
import { freePort } from '../devnet/stack/ports';
import { Teardown } from '../devnet/stack/teardown';

export interface BenchStack {
  stack: RunningStack;
  flags: ParsedFlags;
  protocols: DevnetProtocol<any, any>[];
  accounts: number;
  seed: string;
  /** The stack's work directory; the benchmark may add its own builds there. */
  workDir: string;
  stop(): Promise<void>;
}

export interface BenchStackOptions {
  /** The benchmark's own flags, on top of the stack's (`--help` lists both). */
  flags?: FlagSpec[];
  /** Start the analytics gateway (default true). */
  gateway?: boolean;
  /** Extra environment for graph-node, given the parsed flags. */
  graphNodeEnv?: (flags: ParsedFlags) => NodeJS.ProcessEnv;
  /** The stack's own flags (default: this process's arguments). */
  argv?: string[];
}

/**
 * --work-dir: kept afterwards (logs, builds, database) and created if missing; without it a
 * temporary directory is used and removed at the end.
 */
export async function startBenchStack(name: string, options: BenchStackOptions = {}): Promise<BenchStack> {
  const flags = parseFlags(options.argv ?? process.argv.slice(2), process.env, options.flags);
  if (flags.help) {
    console.log(helpText(options.flags, `npm run bench:${name.replace(/^bench-/, '')} -- [options]`));
    process.exit(0);
  }
  const accounts = (flags.accounts as number | undefined) ?? 1000;
  const seed = (flags.seed as string | undefined) ?? 'bench';
  const given = flags['work-dir'] as string | undefined;
  const workDir = given ? path.resolve(given) : fs.mkdtempSync(path.join(os.tmpdir(), `${name}-`));
  fs.mkdirSync(workDir, { recursive: true });
  fs.chmodSync(workDir, 0o755); // embedded Postgres runs as its own OS user under root
  const removeWorkDir = () => {
    if (!given) fs.rmSync(workDir, { recursive: true, force: true });
  };
  // A benchmark must not collide with a stack the user left running.
  const ports = portsFrom(flags);
  if (!Object.keys(flags).some((f) => f.startsWith('port-'))) {
    for (const key of Object.keys(ports) as (keyof typeof ports)[]) ports[key] = await freePort();
  }
  const protocols = protocolsFrom(flags);
  // Whatever ends this process (an error, a signal handler's exit), no child may outlive it.
  const teardown = new Teardown();
  const onExit = () => {
    teardown.killGroupsSync();
    removeWorkDir();
  };
  process.once('exit', onExit);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.on(signal, () => void teardown.run().finally(() => process.exit(130)));
  }
  const stack = await startStack({
    teardown,
    network: 'devnet',
    ports,
    seed,
    accounts,
    workDir,
    protocols,
    manifests: [],
    syncTimeoutMs: 3 * 3600_000,
    gateway: options.gateway,
    graphNodeEnv: options.graphNodeEnv?.(flags),
    log: (l) => console.error(`[${name}] ${l}`),
  }).catch((err: unknown) => {
    // startStack stopped what it started; the work directory is ours to remove.
    removeWorkDir();
    throw err;
  });
  return {
    stack,
    flags,
    protocols,
    accounts,
    seed,
    workDir,
    stop: async () => {
      await stack.stop();
      removeWorkDir();
      process.off('exit', onExit);
    },
  };
}

/** What a benchmark reads from a stack: a running one it started, or one `npm start` left running. */
export type BenchStackState = Pick<RunningStack, 'rpcUrl' | 'subgraphs' | 'devnet'>;

/**
 * A stack started by `npm start` and still running, from the state file it wrote: a benchmark can
 * then be repeated (or run on new gateway code) without seeding the chain again, which takes an hour
 * at 10^4 accounts. The stack is the user's: stopping the benchmark leaves it running.
 */
export function attachBenchStack(stateFile: string): { stack: BenchStackState; accounts: number; stop(): Promise<void> } {
  const state = JSON.parse(fs.readFileSync(stateFile, 'utf8')) as BenchStackState;
  const accounts = Math.max(...Object.values(state.devnet).map((run) => (run.scenario as { accounts: string[] }).accounts.length));
  return { stack: state, accounts, stop: async () => undefined };
}

