/**
 * Restart with backoff for a component that holds no state its restart loses (the gateway) or whose
 * state lives on disk (Postgres: its data directory). The first start's failure is the caller's to
 * handle (the stack's start-up fails); a later death is logged and the component started again after
 * 1 s, doubling to 30 s, back to 1 s once it ran a minute. After `maxFailures` deaths in a row that
 * never reached `STABLE_MS`, it is given up: `failed` rejects and the launcher stops the stack.
 */
import { StackError } from './errors';
import type { ManagedProcess } from './managed-process';

const FIRST_BACKOFF_MS = 1000;
const MAX_BACKOFF_MS = 30_000;
/** Up this long, the next death restarts it after the first backoff again. */
const STABLE_MS = 60_000;

export interface SupervisorOptions {
  name: string;
  /** Starts one instance; resolves once it serves (rejects if it cannot). */
  start: () => Promise<ManagedProcess>;
  log: (line: string) => void;
  /** After each (re)start: the process group changed (pids.json is rewritten). */
  onStart?: () => void;
  /** Deaths in a row, each before it ran STABLE_MS, after which it is given up (default: never). */
  maxFailures?: number;
}

export interface Supervised {
  /** The current process group. */
  pid(): number | undefined;
  restarts(): number;
  /** Rejects with COMPONENT_FAILED once restarts are given up (never while stopping). */
  failed: Promise<never>;
  stop(graceMs?: number): Promise<void>;
}

export async function supervise(options: SupervisorOptions): Promise<Supervised> {
  let current: ManagedProcess | undefined;
  let stopping = false;
  let restarts = 0;
  let unstable = 0;
  let backoff = FIRST_BACKOFF_MS;
  let timer: NodeJS.Timeout | undefined;
  let giveUp: (err: StackError) => void = () => undefined;
  const failed = new Promise<never>((_, reject) => (giveUp = reject));
  failed.catch(() => undefined);

  /** One death (or a restart that never served): restart later, or give up. */
  const died = (message: string, logTail: string[], stable: boolean) => {
    if (stopping) return;
    if (stable) backoff = FIRST_BACKOFF_MS;
    unstable = stable ? 0 : unstable + 1;
    if (options.maxFailures !== undefined && unstable >= options.maxFailures) {
      options.log(`${message}: ${unstable} deaths in a row, giving up`);
      return giveUp(new StackError('COMPONENT_FAILED', `${message}; not restarted after ${unstable} deaths in a row`, logTail));
    }
    options.log(`${message}: restarting it in ${backoff / 1000} s`);
    timer = setTimeout(() => void relaunch(), backoff);
    backoff = Math.min(MAX_BACKOFF_MS, backoff * 2);
  };
  const launch = async () => {
    const started = Date.now();
    const proc = await options.start();
    // stop() came while it was starting: it must not outlive the stack.
    if (stopping) return void (await proc.stop());
    current = proc;
    options.onStart?.();
    proc.exited.catch((err: StackError) => {
      if (current === proc) died(err.message, err.logTail, Date.now() - started > STABLE_MS);
    });
  };
  const relaunch = async () => {
    if (stopping) return;
    restarts++;
    await launch().catch((err: Error) => died(`${options.name} restart failed (${err.message})`, err instanceof StackError ? err.logTail : [], false));
  };

  await launch();
  return {
    pid: () => current?.child.pid,
    restarts: () => restarts,
    failed,
    async stop(graceMs = 3000) {
      stopping = true;
      clearTimeout(timer);
      await current?.stop(graceMs);
    },
  };
}
