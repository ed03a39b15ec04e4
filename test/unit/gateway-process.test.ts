// The stack's gateway runs as its own process and is restarted when it dies (the launcher stays up).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startGatewayProcess } from '../../devnet/stack/gateway-process';
import { freePort } from '../../devnet/stack/ports';

const ask = (url: string) =>
  fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', connection: 'close' }, body: JSON.stringify({ query: '{ __typename }' }) }).then(
    (r) => r.json() as Promise<{ data?: { __typename: string } }>,
  );

describe('the gateway process under the launcher', () => {
  it('is restarted after kill -9, keeps its URL, and stops with its group', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gateway-process-'));
    const lines: string[] = [];
    let starts = 0;
    const gateway = await startGatewayProcess({
      endpoints: [{ name: 'aave-v3', url: 'http://127.0.0.1:9/subgraphs/name/none' }],
      port: await freePort(),
      followIntervalMs: 0,
      logFile: path.join(dir, 'gateway.log'),
      log: (l) => lines.push(l),
      onStart: () => starts++,
    });
    try {
      expect((await ask(gateway.url)).data).toEqual({ __typename: 'Query' });
      const first = gateway.pid()!;
      process.kill(-first, 'SIGKILL');
      const deadline = Date.now() + 30_000;
      while ((gateway.pid() === first || !(await ask(gateway.url).then((b) => Boolean(b.data), () => false))) && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 200));
      }
      expect(gateway.pid()).not.toBe(first);
      expect(gateway.restarts()).toBe(1);
      expect(starts).toBe(2);
      expect(lines).toEqual(expect.arrayContaining([expect.stringMatching(/^gateway exited \(code null, signal SIGKILL\): restarting it in 1 s$/)]));
      expect((await ask(gateway.url)).data).toEqual({ __typename: 'Query' });
    } finally {
      const last = gateway.pid()!;
      await gateway.stop();
      expect(() => process.kill(-last, 0)).toThrow();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 90_000);
});
