/** The devnet stack for a benchmark: free ports (unless given), a temporary work directory, N accounts. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseFlags, portsFrom, protocolsFrom } from '../devnet/cli/options';
import { startStack, type RunningStack } from '../devnet/stack/launch';
import { Teardown } from '../devnet/stack/teardown';
import { freePort } from '../devnet/stack/ports';

/** `argv`: the stack's own flags (default: this process's arguments). */
export async function startBenchStack(name: string, argv = process.argv.slice(2)): Promise<{ stack: RunningStack; accounts: number; seed: string; stop(): Promise<void> }> {
  const flags = parseFlags(argv, process.env);
  const accounts = (flags.accounts as number | undefined) ?? 1000;
  const seed = (flags.seed as string | undefined) ?? 'bench';
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), `${name}-`));
  fs.chmodSync(workDir, 0o755); // embedded Postgres runs as its own OS user under root
  // A benchmark must not collide with a stack the user left running.
  const ports = portsFrom(flags);
  if (!Object.keys(flags).some((f) => f.startsWith('port-'))) {
    for (const key of Object.keys(ports) as (keyof typeof ports)[]) ports[key] = await freePort();
  }
  // Whatever ends this process (an error, a signal handler's exit), no child may outlive it.
  const teardown = new Teardown();
  const onExit = () => {
    teardown.killGroupsSync();
    fs.rmSync(workDir, { recursive: true, force: true });
  };
  process.once('exit', onExit);
  const stack = await startStack({
    teardown,
    network: 'devnet',
    ports,
    seed,
    accounts,
    workDir,
    protocols: protocolsFrom(flags),
    manifests: [],
    syncTimeoutMs: 3 * 3600_000,
    log: (l) => console.error(`[${name}] ${l}`),
  }).catch((err: unknown) => {
    // startStack stopped what it started; the work directory is ours to remove.
    fs.rmSync(workDir, { recursive: true, force: true });
    throw err;
  });
  return {
    stack,
    accounts,
    seed,
    stop: async () => {
      await stack.stop();
      fs.rmSync(workDir, { recursive: true, force: true });
      process.off('exit', onExit);
    },
  };
}

/** What a benchmark reads from a stack: a running one it started, or one `npm start` left running. */
export type BenchStack = Pick<RunningStack, 'rpcUrl' | 'subgraphs' | 'devnet'>;

/**
 * A stack started by `npm start` and still running, from the state file it wrote: a benchmark can
 * then be repeated (or run on new gateway code) without seeding the chain again, which takes an hour
 * at 10^4 accounts. The stack is the user's: stopping the benchmark leaves it running.
 */
export function attachBenchStack(stateFile: string): { stack: BenchStack; accounts: number; stop(): Promise<void> } {
  const state = JSON.parse(fs.readFileSync(stateFile, 'utf8')) as BenchStack;
  const accounts = Math.max(...Object.values(state.devnet).map((run) => (run.scenario as { accounts: string[] }).accounts.length));
  return { stack: state, accounts, stop: async () => undefined };
}

