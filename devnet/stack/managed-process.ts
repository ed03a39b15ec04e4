import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import { StackError } from './errors';

export interface ManagedProcessOptions {
  name: string;
  command: string;
  args: string[];
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Every line the process prints is appended here, so a failure can be investigated later. */
  logFile?: string;
  /** How many of the last output lines to keep for error messages. */
  tailLines?: number;
  /** Run as another OS user (postgres refuses to run as root). */
  uid?: number;
  gid?: number;
  /** Called with every line the process prints. */
  onLine?: (line: string) => void;
}

export interface ManagedProcess {
  readonly name: string;
  readonly child: ChildProcess;
  /** The last lines of combined stdout/stderr. */
  tail(): string[];
  /** Resolves when a printed line matches; rejects with COMPONENT_FAILED if the process exits first. */
  waitForLine(pattern: RegExp, timeoutMs: number): Promise<string>;
  /** Rejects with COMPONENT_FAILED as soon as the process exits (for racing against readiness checks). */
  readonly exited: Promise<never>;
  /**
   * Stops the whole process group: SIGTERM, then SIGKILL after `graceMs`. graph-node has been seen to
   * ignore SIGTERM, and a wrapper's children outlive it unless the group is signalled.
   */
  stop(graceMs?: number): Promise<void>;
}

export function startManagedProcess(options: ManagedProcessOptions): ManagedProcess {
  const keep = options.tailLines ?? 40;
  const lines: string[] = [];
  const listeners = new Set<(line: string) => void>();
  const log = options.logFile ? fs.createWriteStream(options.logFile, { flags: 'a' }) : undefined;

  // detached: the child leads its own process group, so stop() can signal the child and its children.
  const child = spawn(options.command, options.args, {
    cwd: options.cwd,
    env: options.env ?? process.env,
    detached: true,
    uid: options.uid,
    gid: options.gid,
    stdio: ['ignore', 'pipe', 'pipe'],
  });

  let partial = '';
  const onData = (chunk: Buffer) => {
    log?.write(chunk);
    const text = partial + chunk.toString('utf8');
    const parts = text.split('\n');
    partial = parts.pop() ?? '';
    for (const line of parts) {
      lines.push(line);
      if (lines.length > keep) lines.shift();
      for (const listener of listeners) listener(line);
      options.onLine?.(line);
    }
  };
  child.stdout?.on('data', onData);
  child.stderr?.on('data', onData);

  let exitInfo: string | undefined;
  const exited = new Promise<never>((_, reject) => {
    const fail = (description: string) => {
      exitInfo = description;
      reject(new StackError('COMPONENT_FAILED', `${options.name} ${description}`, [...lines]));
    };
    child.once('error', (err) => fail(`could not start: ${err.message}`));
    child.once('exit', (code, signal) => fail(`exited (code ${code}, signal ${signal})`));
  });
  // Nobody may be racing against `exited` at the moment the process ends: avoid an unhandled rejection.
  exited.catch(() => undefined);

  const waitForLine = (pattern: RegExp, timeoutMs: number) =>
    new Promise<string>((resolve, reject) => {
      const found = lines.find((l) => pattern.test(l));
      if (found) return resolve(found);
      const timer = setTimeout(() => {
        listeners.delete(listener);
        reject(new StackError('TIMEOUT', `${options.name} did not print ${pattern} within ${timeoutMs} ms`, [...lines]));
      }, timeoutMs);
      const listener = (line: string) => {
        if (!pattern.test(line)) return;
        clearTimeout(timer);
        listeners.delete(listener);
        resolve(line);
      };
      listeners.add(listener);
      exited.catch((err) => {
        clearTimeout(timer);
        listeners.delete(listener);
        reject(err);
      });
    });

  const stop = async (graceMs = 3000) => {
    if (exitInfo !== undefined || child.pid === undefined) {
      log?.end();
      return;
    }
    const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    signalGroup(child.pid, 'SIGTERM');
    const timer = setTimeout(() => signalGroup(child.pid!, 'SIGKILL'), graceMs);
    await gone;
    clearTimeout(timer);
    // Children of the leader (if any) may still run: make sure the group is gone.
    signalGroup(child.pid, 'SIGKILL');
    log?.end();
  };

  return { name: options.name, child, tail: () => [...lines], waitForLine, exited, stop };
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // ESRCH: the group is already gone.
  }
}
