/** Process and port facts tests check: whether a process group lives, a URL nobody answers on. */
import net from 'node:net';
import { freePort } from '../../devnet/stack/ports';

/** True while any process of group `pgid` exists. */
export function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

/** A URL on a port that refuses connections (bound, then closed): an endpoint or RPC that is down. */
export async function closedPortUrl(pathname = '/'): Promise<string> {
  const port = await freePort();
  await new Promise<void>((resolve) => {
    const s = net.createServer().listen(port, '127.0.0.1', () => s.close(() => resolve()));
  });
  return `http://127.0.0.1:${port}${pathname}`;
}
