/**
 * CPU time of a process from Linux's /proc (benchmarks: how much graph-node or Postgres spent on a
 * piece of work, independent of how busy the rest of the machine is). Null where /proc is not there.
 */
import fs from 'node:fs';

/** Clock ticks per second for /proc times: USER_HZ, 100 on every Linux architecture graph-node ships for. */
const TICKS_PER_SECOND = 100;

interface ProcStat {
  ppid: number;
  /** utime + stime: the process's own CPU. */
  own: number;
  /** cutime + cstime: children it has waited for. */
  reaped: number;
}

function readStat(pid: number): ProcStat | null {
  let text: string;
  try {
    text = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return null;
  }
  // Field 2 (comm) is parenthesised and may hold spaces: count fields after its closing parenthesis.
  const rest = text.slice(text.lastIndexOf(')') + 2).split(' ');
  // rest[0] is field 3 (state): field n is rest[n - 3].
  const field = (n: number) => Number(rest[n - 3]);
  return { ppid: field(4), own: field(14) + field(15), reaped: field(16) + field(17) };
}

/** CPU seconds (user + system) the process has used so far, its own threads only. */
export function processCpuSeconds(pid: number): number | null {
  const stat = readStat(pid);
  return stat === null ? null : stat.own / TICKS_PER_SECOND;
}

/**
 * CPU seconds of a process and its children, live or exited (Postgres: the postmaster and its
 * backends; a backend that exited was reaped by the postmaster and counts in its children's time).
 */
export function processTreeCpuSeconds(pid: number): number | null {
  const root = readStat(pid);
  if (root === null) return null;
  let ticks = root.own + root.reaped;
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === pid) continue;
    const child = readStat(Number(entry));
    if (child !== null && child.ppid === pid) ticks += child.own;
  }
  return ticks / TICKS_PER_SECOND;
}
