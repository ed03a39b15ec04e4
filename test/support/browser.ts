/**
 * A real headless Chromium for tests, in a child process (browser-driver.mjs: puppeteer-core and
 * @sparticuz/chromium are ES modules, which jest's CommonJS runtime cannot import).
 */
import { fork, type ChildProcess } from 'node:child_process';
import path from 'node:path';

export interface Browser {
  viewport(viewport: { width: number; height: number; isMobile?: boolean; deviceScaleFactor?: number }): Promise<void>;
  goto(url: string, timeoutMs?: number): Promise<void>;
  /** A JS expression evaluated in the page (its value must be JSON-serializable). */
  eval<T>(source: string): Promise<T>;
  /** Waits until a JS expression is truthy in the page. */
  waitFor(source: string, timeoutMs?: number): Promise<void>;
  type(selector: string, text: string): Promise<void>;
  click(selector: string): Promise<void>;
  /** Picks the option with this value in a <select> (fires its change event). */
  select(selector: string, value: string): Promise<void>;
  /** Adds a script file to the page as it is now (e.g. axe-core's axe.min.js). */
  addScript(file: string): Promise<void>;
  /** From now on, the page's POSTs whose body contains `match` get `body` (JSON) instead of the server's answer; null: the server's again. */
  answer(match: string, body: string | null): Promise<void>;
  screenshot(file: string): Promise<void>;
  /** Uncaught errors the page threw so far. */
  pageErrors(): Promise<string[]>;
  /** Closes the browser and ends the driver; kills it if it does not end within 15 s. */
  close(): Promise<void>;
}

export async function startBrowser(): Promise<Browser> {
  const child: ChildProcess = fork(path.join(__dirname, 'browser-driver.mjs'), [], { stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
  let stderr = '';
  child.stderr!.on('data', (c: Buffer) => void (stderr = (stderr + c.toString()).slice(-4000)));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  let next = 0;
  child.on('message', (m: { id?: number; ok?: boolean; value?: unknown; error?: string }) => {
    const p = m.id === undefined ? undefined : pending.get(m.id);
    if (!p) return;
    pending.delete(m.id!);
    if (m.ok) p.resolve(m.value);
    else p.reject(new Error(m.error));
  });
  await new Promise<void>((resolve, reject) => {
    child.once('message', () => resolve());
    child.once('exit', (code) => reject(new Error(`the browser driver exited (${code}) before it was ready: ${stderr}`)));
  });
  const call = <T>(op: string, args: Record<string, unknown> = {}) =>
    new Promise<T>((resolve, reject) => {
      const id = next++;
      pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      child.send({ id, op, ...args });
    });
  return {
    viewport: (viewport) => call('viewport', { viewport }),
    goto: (url, timeoutMs = 30_000) => call('goto', { url, timeoutMs }),
    eval: (source) => call('eval', { source }),
    // A timeout names what was awaited (the driver's stack is the browser's, not the test's).
    waitFor: (source, timeoutMs = 30_000) =>
      call<void>('waitFor', { source, timeoutMs }).catch((err: Error) => {
        throw new Error(`${err.message.split('\n')[0]}, waiting for: ${source.slice(0, 300)}`);
      }),
    type: (selector, text) => call('type', { selector, text }),
    click: (selector) => call('click', { selector }),
    select: (selector, value) => call('select', { selector, value }),
    addScript: (file) => call('addScript', { path: file }),
    answer: (match, body) => call('answer', { match, body }),
    screenshot: (file) => call('screenshot', { path: file }),
    pageErrors: () => call('errors'),
    async close() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      call('close').catch(() => undefined);
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
