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
}

/**
 * --work-dir: kept afterwards (logs, builds, database) and created if missing; without it a
 * temporary directory is used and removed at the end.
 */
export async function startBenchStack(name: string, options: BenchStackOptions = {}): Promise<BenchStack> {
  const flags = parseFlags(process.argv.slice(2), process.env, options.flags);
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
  // Interrupted or crashed, a benchmark leaves no process behind.
  const teardown = new Teardown();
  process.on('exit', () => teardown.killGroupsSync());
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
    },
  };
}
