// kill -9 of the launcher must not orphan what it started: the watchdog ends the recorded groups.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '../../devnet/stack/ports';
import { groupAlive } from '../support/processes';


describe('stack watchdog', () => {
  it('ends the recorded process groups when the launcher is killed with SIGKILL', async () => {
    const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'watchdog-'));
    const port = await freePort();
    const launcher = spawn(process.execPath, ['--import', 'tsx', path.join(__dirname, '..', 'fixtures', 'watchdog-launcher.ts'), workDir, String(port)], { stdio: ['ignore', 'pipe', 'inherit'] });
    let anvilGroup = 0;
    try {
      anvilGroup = await new Promise<number>((resolve, reject) => {
        launcher.stdout!.on('data', (b: Buffer) => {
          const m = /READY (\d+)/.exec(b.toString());
          if (m) resolve(Number(m[1]));
        });
        launcher.once('exit', (code) => reject(new Error(`the launcher exited (${code})`)));
      });
      expect(groupAlive(anvilGroup)).toBe(true);
      launcher.kill('SIGKILL');
      const deadline = Date.now() + 5_000;
      while (groupAlive(anvilGroup) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      expect(groupAlive(anvilGroup)).toBe(false);
      // Its port is free again: the next start does not fail with PORT_IN_USE.
      const res = await fetch(`http://127.0.0.1:${port}`, { method: 'POST', body: '{}' }).then(() => 'answered', () => 'refused');
      expect(res).toBe('refused');
    } finally {
      launcher.kill('SIGKILL');
      if (anvilGroup && groupAlive(anvilGroup)) process.kill(-anvilGroup, 'SIGKILL');
      fs.rmSync(workDir, { recursive: true, force: true });
    }
  }, 60_000);
});
