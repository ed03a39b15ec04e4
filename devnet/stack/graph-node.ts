import fs from 'node:fs';
import path from 'node:path';
import pg from 'pg';
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
  /** The subgraph name each build is served under, in the same order (see subgraphNames). */
  names: string[];
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
  /** GraphQL endpoint of the n-th subgraph, by its name, in `buildDirs` order (see nameSubgraphs). */
  queryUrls: string[];
  /**
   * Gives each deployment its name: waits until gnd has deployed every build under its own
   * placeholder name, then names it after what it indexes and drops the placeholder. Until then
   * queryUrls do not answer. Rejects if graph-node exits first.
   */
  nameSubgraphs(timeoutMs: number): Promise<void>;
  statusUrl: string;
  metricsUrl: string;
  /** The admin JSON-RPC (subgraph_create, subgraph_deploy; gnd takes a build's subgraph.yaml path as the hash). */
  adminUrl: string;
  stop(): Promise<void>;
}

export function gndBinary(): string {
  return path.join(path.dirname(require.resolve('@graphprotocol/gnd-linux-x64/package.json')), 'bin', 'gnd');
}

/** The name `gnd dev` deploys its n-th `--manifests` entry under (it has no option to choose one). */
export function placeholderName(index: number): string {
  return `subgraph-${index}`;
}

/**
 * graph-node subgraph names for endpoint names (e.g. "aave-v3.6" -> "aave-v36"): lower-case letters,
 * digits, `-` and `_`, starting and ending with a letter or digit, as graph-node requires; a clash
 * gets a numeric suffix. A name that is invalid even then, or that looks like gnd's own placeholder
 * names, is a BAD_CONFIG error.
 */
export function subgraphNames(endpoints: string[]): string[] {
  const taken = new Set<string>();
  return endpoints.map((endpoint) => {
    const base = endpoint
      .toLowerCase()
      .replace(/\./g, '')
      .replace(/[^a-z0-9_-]+/g, '-')
      .replace(/^[-_]+|[-_]+$/g, '');
    if (!/[a-z]/.test(base) || base === 'graphql' || /^subgraph-\d+$/.test(base)) {
      throw new StackError('BAD_CONFIG', `"${endpoint}" does not make a graph-node subgraph name (got "${base}")`);
    }
    let name = base;
    for (let n = 2; taken.has(name); n++) name = `${base}-${n}`;
    taken.add(name);
    return name;
  });
}

/**
 * Real graph-node, as `gnd dev` from npm: it deploys each manifest's local build under placeholder
 * names (subgraph-0, subgraph-1, ... in `--manifests` order) and serves the standard query,
 * index-node status and metrics APIs; nameSubgraphs() then renames them through the admin API. No
 * `--watch`: it has been seen redeploying in a loop.
 */
export async function startGraphNode(options: GraphNodeOptions): Promise<RunningGraphNode> {
  const { ports } = options;
  for (const [owner, port] of Object.entries(ports)) {
    if (port !== undefined) await assertPortFree(port, `graph-node ${owner}`);
  }
  if (options.names.length !== options.buildDirs.length) {
    throw new StackError('BAD_CONFIG', `${options.buildDirs.length} builds but ${options.names.length} subgraph names`);
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
    // A subgraph's block stream wakes on a Postgres chain-head notification and, should that be missed
    // (it is, now and then, on this stack), only on this timeout (store/postgres chain_head_listener:
    // `chain_head_watcher_timeout`, default 30 s): a stall of up to 30 s per missed block. The
    // graph-node Helm chart's defaults set 5; a local chain mining on demand wants 2.
    GRAPH_CHAIN_HEAD_WATCHER_TIMEOUT: process.env.GRAPH_CHAIN_HEAD_WATCHER_TIMEOUT ?? '2',
    // Not GRAPH_QUERY_CACHE_BLOCKS=0 (documented as "disables the query cache"): gnd 0.45 divides the
    // cache's memory by it and panics ("attempt to divide by zero", graphql/src/execution/execution.rs)
    // on the first query. The gateway's pins by hash keep that cache from serving orphaned results.
    ...options.env,
    // Through the environment, not argv: any user on the machine can read a process's arguments
    // (ps), and these carry the database password and the RPC's API key. gnd reads both
    // (`--postgres-url` [env: POSTGRES_URL], `--ethereum-rpc` [env: ETHEREUM_RPC]).
    POSTGRES_URL: options.postgresUrl,
    ETHEREUM_RPC: `${options.network}:${options.rpcUrl}`,
  };
  // gnd names a deployment after its manifest's real path.
  const deployments = options.buildDirs.map((dir) => fs.realpathSync(path.join(path.resolve(dir), 'subgraph.yaml')));
  await forgetEarlierNames(options.postgresUrl, options.names, deployments);
  const processHandle = startManagedProcess({ name: 'graph-node', command: gndBinary(), args, env, logFile: options.logFile, tailLines: 60 });
  const statusUrl = `http://127.0.0.1:${ports.indexNode}/graphql`;
  const adminUrl = `http://127.0.0.1:${ports.admin}/`;
  const nameSubgraphs = async (timeoutMs: number) => {
    const deadline = Date.now() + timeoutMs;
    for (const [i, name] of options.names.entries()) {
      const placeholder = placeholderName(i);
      const deployment = await deploymentOf(statusUrl, placeholder, deadline);
      if (deployment !== deployments[i]) {
        throw new StackError('COMPONENT_FAILED', `graph-node deployed ${deployment} as ${placeholder}, expected ${deployments[i]}`);
      }
      // Name first, then drop the placeholder: a deployment no name points to is unassigned (stops).
      await adminCall(adminUrl, 'subgraph_create', { name }); // idempotent
      await adminCall(adminUrl, 'subgraph_deploy', { name, ipfs_hash: deployment });
      await adminCall(adminUrl, 'subgraph_remove', { name: placeholder });
    }
  };
  return {
    process: processHandle,
    queryUrls: options.names.map((name) => `http://127.0.0.1:${ports.http}/subgraphs/name/${name}`),
    nameSubgraphs: (timeoutMs) => Promise.race([nameSubgraphs(timeoutMs), processHandle.exited]),
    statusUrl,
    metricsUrl: `http://127.0.0.1:${ports.metrics}/metrics`,
    adminUrl: `http://127.0.0.1:${ports.admin}`,
    stop: () => processHandle.stop(2000),
  };
}

/**
 * Removes the names an earlier run gave these deployments from a store that is kept between runs
 * (`--rpc`, `--postgres`). On start, `gnd dev` drops each deployment it is about to deploy and
 * deploys it afresh, but only a deployment that no name uses can be dropped: left named, the old one
 * is reused, and gnd's own restart of it fails ("subgraph writer ... is not running"). This deletes
 * exactly what graph-node's `subgraph_remove` deletes (the names and their versions), while
 * graph-node is not running; names pointing at other deployments are left alone.
 */
async function forgetEarlierNames(postgresUrl: string, names: string[], deployments: string[]): Promise<void> {
  const client = new pg.Client({ connectionString: postgresUrl });
  try {
    await client.connect();
    const { rows } = await client.query<{ present: boolean }>(`SELECT to_regclass('subgraphs.subgraph_version') IS NOT NULL AS present`);
    if (!rows[0].present) return; // a new store: graph-node has not set it up yet
    await client.query(
      `WITH stale AS (
         SELECT DISTINCT s.id FROM subgraphs.subgraph s JOIN subgraphs.subgraph_version v ON v.subgraph = s.id
         WHERE s.name = ANY($1) AND v.deployment = ANY($2)),
       versions AS (DELETE FROM subgraphs.subgraph_version WHERE subgraph IN (SELECT id FROM stale))
       DELETE FROM subgraphs.subgraph WHERE id IN (SELECT id FROM stale)`,
      [names, deployments],
    );
  } catch (err) {
    throw new StackError('COMPONENT_FAILED', `could not clear earlier subgraph names in ${redact(postgresUrl)}: ${(err as Error).message}`);
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** A Postgres URL without its password, for messages. */
function redact(url: string): string {
  return url.replace(/\/\/([^:/@]+):[^@]*@/, '//$1:***@');
}

/** The deployment a subgraph name points to, once graph-node has deployed it (polls until `deadline`). */
async function deploymentOf(statusUrl: string, name: string, deadline: number): Promise<string> {
  const query = `{ indexingStatusForCurrentVersion(subgraphName: ${JSON.stringify(name)}) { subgraph } }`;
  for (;;) {
    try {
      const res = await fetch(statusUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query }),
        signal: AbortSignal.timeout(5000),
      });
      const body = (await res.json()) as { data?: { indexingStatusForCurrentVersion: { subgraph: string } | null } };
      const deployment = body.data?.indexingStatusForCurrentVersion?.subgraph;
      if (deployment) return deployment;
    } catch {
      // not answering yet
    }
    if (Date.now() > deadline) throw new StackError('TIMEOUT', `graph-node did not deploy ${name} in time`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** One call to graph-node's admin JSON-RPC; an error answer is a COMPONENT_FAILED error. */
async function adminCall(adminUrl: string, method: string, params: Record<string, string>): Promise<void> {
  let body: { error?: { message: string } };
  try {
    const res = await fetch(adminUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }),
      signal: AbortSignal.timeout(30_000),
    });
    body = (await res.json()) as typeof body;
  } catch (err) {
    throw new StackError('COMPONENT_FAILED', `graph-node admin ${method} ${JSON.stringify(params)} failed: ${(err as Error).message}`);
  }
  if (body.error) {
    throw new StackError('COMPONENT_FAILED', `graph-node admin ${method} ${JSON.stringify(params)} failed: ${body.error.message}`);
  }
}
