import http from 'node:http';
import { assertPortFree } from './ports';

/**
 * graph-node blocks at start-up until something answers `POST /api/v0/version` on its IPFS address.
 * `gnd dev` reads the subgraph from the local build directory, so nothing else from IPFS is needed:
 * this one route is the whole "IPFS" of the local stack. Any other request gets a 501 naming the
 * route, so a feature that really needs IPFS (file data sources) fails loudly instead of hanging.
 */
export async function startIpfsStub(port: number): Promise<{ address: string; stop(): Promise<void> }> {
  await assertPortFree(port, 'ipfs stub');
  const server = http.createServer((req, res) => {
    if (req.method === 'POST' && req.url?.startsWith('/api/v0/version')) {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ Version: '0.0.0-local-stub', Commit: '', Repo: '0', System: 'local', Golang: '' }));
      return;
    }
    res.writeHead(501, { 'content-type': 'text/plain' });
    res.end(`the local stack's IPFS stub only answers POST /api/v0/version, not ${req.method} ${req.url}\n`);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  return {
    address: `127.0.0.1:${port}`,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
