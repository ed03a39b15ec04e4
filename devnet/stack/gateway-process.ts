/**
 * The gateway as its own process under the launcher (`server/main.ts`): a request that runs it out of
 * memory no longer takes the launcher, graph-node's supervisor, down with it. The gateway holds no
 * state a restart loses (its views are recomputed from the subgraphs), so the launcher restarts it
 * when it dies, with backoff (1 s doubling to 30 s, back to 1 s once it ran a minute), and logs each
 * death. Endpoints and the RPC reach it through its environment, not argv (they may carry API keys).
 */
import path from 'node:path';
import { StackError } from './errors';
import { startManagedProcess, type ManagedProcess } from './managed-process';

const REPO_ROOT = path.resolve(__dirname, '..', '..');
const FIRST_BACKOFF_MS = 1000;
const MAX_BACKOFF_MS = 30_000;
/** Up this long, a gateway's next death restarts it after the first backoff again. */
const STABLE_MS = 60_000;

export interface GatewayProcessOptions {
  endpoints: { name: string; url: string }[];
  rpcUrl?: string;
  port: number;
  followIntervalMs: number;
  logFile: string;
  log: (line: string) => void;
  /** After each (re)start: the process group changed (pids.json is rewritten). */
  onStart?: () => void;
}

export interface GatewayProcess {
  url: string;
  /** The current process group. */
  pid(): number | undefined;
  restarts(): number;
  stop(): Promise<void>;
}

export async function startGatewayProcess(options: GatewayProcessOptions): Promise<GatewayProcess> {
  let current: ManagedProcess | undefined;
  let stopping = false;
  let restarts = 0;
  let backoff = FIRST_BACKOFF_MS;
  let timer: NodeJS.Timeout | undefined;
  let everUp = false;

  const launch = async (): Promise<string> => {
    const started = Date.now();
    const proc = startManagedProcess({
      name: 'gateway',
      command: process.execPath,
      args: ['--import', 'tsx', path.join(REPO_ROOT, 'server', 'main.ts'), '--port', String(options.port), '--follow-interval-ms', String(options.followIntervalMs)],
      cwd: REPO_ROOT,
      env: {
        ...process.env,
        GATEWAY_SUBGRAPHS: options.endpoints.map((e) => `${e.name}=${e.url}`).join(','),
        GATEWAY_RPC_URL: options.rpcUrl ?? '',
      },
      logFile: options.logFile,
      tailLines: 60,
      // Its operator lines (view loads, reorgs, follow failures) are the stack's too.
      onLine: (line) => line.startsWith('gateway: view') || line.startsWith('gateway: following') ? options.log(line) : undefined,
    });
    current = proc;
    options.onStart?.();
    // Watched from the start: a restart that dies before it listens is restarted again, later (the
    // very first start failing fails the stack's start-up instead).
    proc.exited.catch((err: StackError) => {
      if (stopping || current !== proc || !everUp) return;
      if (Date.now() - started > STABLE_MS) backoff = FIRST_BACKOFF_MS;
      options.log(`${err.message}: restarting it in ${backoff / 1000} s`);
      timer = setTimeout(() => {
        restarts++;
        launch().catch(() => undefined); // its death is handled by its own exit watch
      }, backoff);
      backoff = Math.min(MAX_BACKOFF_MS, backoff * 2);
    });
    const line = await Promise.race([proc.waitForLine(/^gateway: (http\S+)/, 60_000), proc.exited]);
    everUp = true;
    return /^gateway: (http\S+)/.exec(line)![1];
  };

  const url = await launch();
  return {
    url,
    pid: () => current?.child.pid,
    restarts: () => restarts,
    async stop() {
      stopping = true;
      clearTimeout(timer);
      await current?.stop(3000);
    },
  };
}
