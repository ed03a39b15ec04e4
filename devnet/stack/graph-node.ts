import path from 'node:path';
import { StackError } from './errors';
import { startManagedProcess, type ManagedProcess } from './managed-process';
import { assertPortFree } from './ports';

export interface GraphNodePorts {
  http: number;
  admin: number;
  indexNode: number;
  metrics: number;
}

export interface GraphNodeOptions {
  /** `graph build` output directories (each holds a subgraph.yaml), in deployment order. */
  buildDirs: string[];
  postgresUrl: string;
  /** The network name must equal the manifests' `network:`. */
  network: string;
  rpcUrl: string;
  ipfsAddress: string;
  ports: GraphNodePorts;
  logFile?: string;
  /** Extra environment for graph-node (e.g. GRAPH_LOG=debug). */
  env?: NodeJS.ProcessEnv;
}

export interface RunningGraphNode {
  process: ManagedProcess;
  /** GraphQL endpoint of the n-th subgraph, in `subgraphs` order. */
  queryUrls: string[];
  statusUrl: string;
  metricsUrl: string;
  /** The admin JSON-RPC (subgraph_create, subgraph_deploy; gnd takes a build's subgraph.yaml path as the hash). */
  adminUrl: string;
  stop(): Promise<void>;
}

export function gndBinary(): string {
  return path.join(path.dirname(require.resolve('@graphprotocol/gnd-linux-x64/package.json')), 'bin', 'gnd');
}

/**
 * Real graph-node, as `gnd dev` from npm: it deploys each manifest's local build under the names
 * subgraph-0, subgraph-1, ... (in `--manifests` order) and serves the standard query, index-node
 * status and metrics APIs. No `--watch`: it has been seen redeploying in a loop.
 */
export async function startGraphNode(options: GraphNodeOptions): Promise<RunningGraphNode> {
  const { ports } = options;
  for (const [owner, port] of Object.entries(ports)) {
    if (port !== undefined) await assertPortFree(port, `graph-node ${owner}`);
  }
  if (!/^[a-z0-9-]+$/.test(options.network)) {
    throw new StackError('BAD_CONFIG', `network name "${options.network}" must be lower-case letters, digits and dashes`);
  }
  // gnd loads `<manifest's folder>/<build dir>/<manifest's file name>`: pointing it at the build
  // output's own subgraph.yaml with build dir "." deploys exactly what graph build wrote.
  const manifests = options.buildDirs.map((dir) => `${path.join(path.resolve(dir), 'subgraph.yaml')}:.`).join(',');
  const args = [
    'dev',
    '--manifests', manifests,
    '--postgres-url', options.postgresUrl,
    '--ethereum-rpc', `${options.network}:${options.rpcUrl}`,
    '--ipfs', options.ipfsAddress,
    '--http-port', String(ports.http),
    '--admin-port', String(ports.admin),
    '--index-node-port', String(ports.indexNode),
    '--metrics-port', String(ports.metrics),
  ];
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    GRAPH_NODE_CONFIG: undefined,
    // Poll a local chain quickly; graph-node's default (500 ms) is tuned for real networks.
    ETHEREUM_POLLING_INTERVAL: process.env.ETHEREUM_POLLING_INTERVAL ?? '200',
    // graph-node builds an anyhow error on every read of wasm memory, even a successful one
    // (runtime/wasm/src/module/mod.rs `read`: `.ok_or(anyhow!(...))`), and with RUST_BACKTRACE=1 in
    // the environment each of those captures a backtrace: handlers ran 5-6x slower in CPU (a store.set
    // reads every field of the entity). RUST_LIB_BACKTRACE=0 turns capture off for errors while panics
    // still print theirs; graph-node's own Docker image sets neither.
    RUST_LIB_BACKTRACE: process.env.RUST_LIB_BACKTRACE ?? '0',
    ...options.env,
  };
  const processHandle = startManagedProcess({ name: 'graph-node', command: gndBinary(), args, env, logFile: options.logFile, tailLines: 60 });
  const statusUrl = `http://127.0.0.1:${ports.indexNode}/graphql`;
  return {
    process: processHandle,
    queryUrls: options.buildDirs.map((_, i) => `http://127.0.0.1:${ports.http}/subgraphs/name/subgraph-${i}`),
    statusUrl,
    metricsUrl: `http://127.0.0.1:${ports.metrics}/metrics`,
    adminUrl: `http://127.0.0.1:${ports.admin}`,
    stop: () => processHandle.stop(2000),
  };
}
