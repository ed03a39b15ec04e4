/**
 * The gateway as its own process under the launcher (`server/main.ts`): a request that runs it out of
 * memory no longer takes the launcher, graph-node's supervisor, down with it. The gateway holds no
 * state a restart loses (its views are recomputed from the subgraphs), so the launcher restarts it
 * when it dies, with backoff (devnet/stack/supervisor.ts), and logs each death. Endpoints and the RPC reach it through its environment, not argv (they may carry API keys).
 */
import path from 'node:path';
import { startManagedProcess } from './managed-process';
import { supervise } from './supervisor';

const REPO_ROOT = path.resolve(__dirname, '..', '..');
const LISTENING = /^gateway: (http\S+)/;

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
  let url = '';
  const start = async () => {
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
    try {
      url = LISTENING.exec(await Promise.race([proc.waitForLine(LISTENING, 60_000), proc.exited]))![1];
      return proc;
    } catch (err) {
      await proc.stop(3000);
      throw err;
    }
  };
  // The gateway holds nothing a restart loses: it is restarted for as long as the stack runs.
  const supervised = await supervise({ name: 'gateway', start, log: options.log, onStart: options.onStart });
  return { url, pid: supervised.pid, restarts: supervised.restarts, stop: () => supervised.stop(3000) };
}
