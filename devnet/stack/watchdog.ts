/**
 * A watchdog for the stack's process groups: a tiny detached process that outlives a launcher killed
 * with SIGKILL (no exit handler runs then) and ends every group recorded in `<workDir>/pids.json`, so
 * anvil, Postgres and graph-node never hold their ports after the launcher is gone. It knows its
 * launcher is gone when it is re-parented (its parent pid changes): robust against a zombie launcher
 * and against pid reuse. The launcher stops it last on an orderly shutdown.
 */
import { spawn } from 'node:child_process';

// Plain JavaScript for `node -e` (no loader, ~30 MB): argv = [node, launcherPid, pidsFile].
const WATCHDOG_SOURCE = `
const fs = require('fs');
const [launcher, pidsFile] = process.argv.slice(1);
setInterval(() => {
  if (process.ppid === Number(launcher)) return;
  let groups = [];
  try { groups = JSON.parse(fs.readFileSync(pidsFile, 'utf8')); } catch {}
  for (const g of groups) { try { process.kill(-g, 'SIGKILL'); } catch {} }
  process.exit(0);
}, 250);
`;

export interface Watchdog {
  pid: number | undefined;
  stop(): void;
}

export function startWatchdog(pidsFile: string, launcherPid = process.pid): Watchdog {
  // detached: its own process group, so a signal to the launcher's group does not end it too.
  const child = spawn(process.execPath, ['-e', WATCHDOG_SOURCE, String(launcherPid), pidsFile], { detached: true, stdio: 'ignore' });
  child.unref();
  return {
    pid: child.pid,
    stop() {
      try {
        if (child.pid) process.kill(child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    },
  };
}
