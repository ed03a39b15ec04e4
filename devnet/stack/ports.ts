import net from 'node:net';
import { StackError } from './errors';
import type { GraphNodePorts } from './graph-node';

/** Fails with PORT_IN_USE naming the port and its intended owner, before anything is spawned. */
export async function assertPortFree(port: number, owner: string, host = '127.0.0.1'): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const server = net.createServer();
    server.once('error', (err: NodeJS.ErrnoException) => {
      reject(
        err.code === 'EADDRINUSE' || err.code === 'EACCES'
          ? new StackError('PORT_IN_USE', `port ${port} is already in use (wanted by ${owner}); choose another port or stop what holds it`)
          : err,
      );
    });
    server.listen({ port, host, exclusive: true }, () => server.close(() => resolve()));
  });
}

/** A port the OS considers free right now (used by tests to avoid clashing with a running stack). */
export async function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen({ port: 0, host }, () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export interface StackPorts extends GraphNodePorts {
  anvil: number;
  postgres: number;
  ipfs: number;
  gateway: number;
}

/** Documented defaults (README, "Configuration"). */
export const DEFAULT_PORTS: StackPorts = {
  anvil: 8545,
  postgres: 5432,
  ipfs: 5001,
  http: 8000,
  admin: 8020,
  indexNode: 8030,
  metrics: 8040,
  gateway: 4000,
};

/** What each port is for, in error messages. */
export const PORT_OWNERS: Record<keyof StackPorts, string> = {
  anvil: 'anvil',
  postgres: 'postgres',
  ipfs: 'ipfs stub',
  http: 'graph-node http',
  admin: 'graph-node admin',
  indexNode: 'graph-node index-node',
  metrics: 'graph-node metrics',
  gateway: 'gateway',
};
