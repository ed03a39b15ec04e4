import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { startAnvil } from '../chain/anvil';
import type { DevnetProtocol, DevnetRun } from '../protocols';
import { devnetClients } from '../chain/anvil';
import { StackError } from './errors';
import { startGraphNode, subgraphNames } from './graph-node';
import { handlerCount, waitForSync, type SyncProgress } from './indexing-status';
import { startIpfsStub } from './ipfs-stub';
import { processCpuSeconds } from './process-cpu';
import { startEmbeddedPostgres } from './postgres';
import { buildSubgraphs } from './subgraph-build';
import { Teardown } from './teardown';
import { assertPortFree, PORT_OWNERS, type StackPorts } from './ports';
import { redactUrl } from './redact';
import { startWatchdog } from './watchdog';
import { startGatewayProcess } from './gateway-process';

export interface StackOptions {
  /** Index this JSON-RPC endpoint instead of starting the devnet (no deployment, no scenario). */
  rpcUrl?: string;
  /** Network name: the manifests' `network:` and graph-node's chain name. */
  network: string;
  /** Use this Postgres server instead of starting an embedded one. */
  postgresUrl?: string;
  /** Data directory of the embedded Postgres (default: <workDir>/postgres, kept between runs). */
  postgresDir?: string;
  ports: StackPorts;
  seed: string;
  accounts: number;
  /** Logs, build output and the embedded database live here. */
  workDir: string;
  /** Devnet: the protocols to deploy, drive and index (ignored with rpcUrl). */
  protocols: DevnetProtocol<any, any>[];
  /** With rpcUrl: the subgraphs to deploy, by name, from networks.json's entry for `network`. */
  manifests: { name: string; manifest: string; /** networks.json instance (`<network>:<instance>`), e.g. Aave Prime */ instance?: string }[];
  /** How long indexing may take before giving up. */
  syncTimeoutMs: number;
  log: (line: string) => void;
  onProgress?: (progress: SyncProgress) => void;
  /** Start the analytics gateway once indexed (default true; a benchmark of graph-node alone skips it). */
  gateway?: boolean;
  /** Extra environment for graph-node (e.g. GRAPH_STORE_DISABLE_CALL_CACHE for benchmarks). */
  graphNodeEnv?: NodeJS.ProcessEnv;
  /**
   * Receives every started component; pass one in to be able to stop a stack that is still starting
   * (Ctrl-C during the scenario). Running it is idempotent.
   */
  teardown?: Teardown;
}

export interface RunningStack {
  rpcUrl: string;
  network: string;
  /**
   * One GraphQL endpoint per deployment, keyed by its endpoint name (a protocol's, e.g. "aave-v3.6");
   * graph-node serves it under a subgraph name derived from that (`/subgraphs/name/aave-v36`).
   */
  subgraphs: Record<string, string>;
  /** The analytics gateway over those subgraphs ('' when started with `gateway: false`). */
  gatewayUrl: string;
  statusUrl: string;
  /** The block every subgraph had indexed when start-up finished. */
  indexedBlock: number;
  /** Devnet: each protocol's deployment and scenario result, by name. */
  devnet: Record<string, DevnetRun<any, any>>;
  /** Each subgraph's `graph build` output, by the same names as `subgraphs`. */
  builds: Record<string, string>;
  /** The graph-node process and its admin API (benchmarks deploy further builds to it). */
  graphNode: { pid: number; adminUrl: string; metricsUrl: string };
  /** The embedded Postgres server's process group at start-up (a restart replaces it; undefined with an external Postgres). */
  postgresPid?: number;
  /** The database graph-node stores its deployments in (benchmarks read their tables). */
  postgresUrl: string;
  /**
   * How the initial sync went, from graph-node start to the head (for benchmarks). graphNodeCpuSeconds:
   * CPU graph-node used in that time (start-up included), null where /proc cannot tell.
   */
  indexing: { startBlock: number; blocks: number; seconds: number; handlerCalls: number | null; graphNodeCpuSeconds: number | null };
  logDir: string;
  /**
   * Rejects with COMPONENT_FAILED (naming it and its exit) when anvil or graph-node exits or Postgres
   * dies and cannot be restarted,
   * including when stop() ends them: a launcher watching it stops the rest unless it is stopping.
   */
  failed: Promise<never>;
  stop(): Promise<void>;
}

/**
 * Brings the whole local stack up: chain (anvil, or an external RPC), the devnet deployment and
 * scenario, Postgres, the IPFS stub, the subgraph build and graph-node; returns once every subgraph
 * has indexed the chain head. On any failure, everything already started is stopped before the error
 * propagates.
 */
export async function startStack(options: StackOptions): Promise<RunningStack> {
  const teardown = options.teardown ?? new Teardown();
  const { log, ports } = options;
  const workDir = path.resolve(options.workDir);
  const logDir = path.join(workDir, 'logs');
  fs.mkdirSync(logDir, { recursive: true });
  // Registered first, stopped last: until then it ends the recorded groups if this process is killed.
  const watchdog = startWatchdog(path.join(workDir, 'pids.json'));
  teardown.add('watchdog', watchdog.stop);
  // Components whose death after start-up ends the stack (RunningStack.failed).
  const deaths: Promise<never>[] = [];
  try {
    // Fail before doing anything slow if a port is taken (each component checks again when it starts).
    for (const [owner, port] of Object.entries(ports) as [keyof StackPorts, number][]) {
      if ((owner === 'anvil' && options.rpcUrl) || (owner === 'postgres' && options.postgresUrl)) continue;
      await assertPortFree(port, PORT_OWNERS[owner]);
    }
    let rpcUrl = options.rpcUrl;
    const devnet: Record<string, DevnetRun<any, any>> = {};
    if (!rpcUrl) {
      log(`starting anvil on port ${ports.anvil}`);
      const anvil = await startAnvil({ port: ports.anvil });
      teardown.add('anvil', anvil.stop, anvil.process.pid);
      deaths.push(exitOf('anvil', anvil.process));
      writePids(workDir, teardown);
      rpcUrl = anvil.rpcUrl;
      const clients = devnetClients(rpcUrl);
      for (const protocol of options.protocols) {
        log(`deploying ${protocol.name}`);
        const deployment = await protocol.deploy(clients, log, devnet);
        // One seed per protocol: each gets its own accounts, all derived from the stack's seed.
        const seed = `${options.seed}/${protocol.name}`;
        log(`running the ${protocol.name} scenario (seed "${seed}", ${options.accounts} accounts)`);
        devnet[protocol.name] = { deployment, scenario: await protocol.runScenario({ clients, deployment, seed, accounts: options.accounts, log }) };
      }
    }

    let postgresUrl = options.postgresUrl;
    let postgresPid: number | undefined;
    if (!postgresUrl) {
      const dataDir = options.postgresDir ?? path.join(workDir, 'postgres');
      log(`starting postgres on port ${ports.postgres} (data: ${dataDir})`);
      const pg = await startEmbeddedPostgres({
        dataDir,
        port: ports.postgres,
        database: 'graph',
        // A devnet is a new chain every run: a store left from an earlier chain cannot be reused.
        recreateDatabase: !options.rpcUrl,
        logFile: path.join(logDir, 'postgres.log'),
        log,
        onStart: () => writePids(workDir, teardown),
      });
      teardown.add('postgres', pg.stop, pg.pid);
      deaths.push(pg.failed);
      writePids(workDir, teardown);
      postgresUrl = pg.url;
      postgresPid = pg.pid();
    }

    log(`starting the IPFS stub on port ${ports.ipfs}`);
    const ipfs = await startIpfsStub(ports.ipfs);
    teardown.add('ipfs stub', ipfs.stop);

    const targets = options.rpcUrl
      ? options.manifests.map((m) => ({ ...m, dataSources: undefined }))
      : options.protocols.map((p) => ({ name: p.name, manifest: p.manifest, dataSources: p.dataSources(devnet[p.name].deployment) }));
    const names = subgraphNames(targets.map((t) => t.name));
    // Each distinct manifest is compiled once; its other deployments reuse that build.
    const buildDirs = (await buildSubgraphs(targets, { network: options.network, workDir: path.join(workDir, 'subgraphs'), log })).map((b) => b.buildDir);

    const head = await blockNumber(rpcUrl);
    log(`starting graph-node (http ${ports.http}, index-node ${ports.indexNode}) to index up to block ${head}`);
    const graphNode = await startGraphNode({
      buildDirs,
      names,
      postgresUrl,
      network: options.network,
      rpcUrl,
      ipfsAddress: ipfs.address,
      ports: { http: ports.http, admin: ports.admin, indexNode: ports.indexNode, metrics: ports.metrics },
      logFile: path.join(logDir, 'graph-node.log'),
      env: options.graphNodeEnv,
    });
    teardown.add('graph-node', graphNode.stop, graphNode.process.child.pid);
    deaths.push(graphNode.process.exited);
    writePids(workDir, teardown);
    const indexingStarted = Date.now();

    const attachTail = (err: unknown) => {
      // Attach graph-node's own last words: the status API rarely says why a handler failed.
      if (err instanceof StackError && err.logTail.length === 0) {
        throw new StackError(err.code, err.message, graphNode.process.tail());
      }
      throw err;
    };
    await graphNode.nameSubgraphs(options.syncTimeoutMs).catch(attachTail);
    log(`graph-node serves ${names.join(', ')}`);
    await waitForSync({
      statusUrl: graphNode.statusUrl,
      metricsUrl: graphNode.metricsUrl,
      expectedDeployments: buildDirs.length,
      targetBlock: head,
      timeoutMs: options.syncTimeoutMs,
      onProgress: options.onProgress,
      abort: graphNode.process.exited,
    }).catch(attachTail);

    const indexingSeconds = (Date.now() - indexingStarted) / 1000;
    const graphNodePid = graphNode.process.child.pid ?? 0;
    const graphNodeCpuSeconds = processCpuSeconds(graphNodePid);
    const starts = Object.values(devnet).map((r) => Number(r.deployment.startBlock));
    const startBlock = starts.length ? Math.min(...starts) : 0;
    const subgraphs: Record<string, string> = {};
    const builds: Record<string, string> = {};
    targets.forEach((t, i) => {
      subgraphs[t.name] = graphNode.queryUrls[i];
      builds[t.name] = buildDirs[i];
    });

    let gatewayUrl = '';
    if (options.gateway !== false) {
      log(`starting the gateway on port ${ports.gateway}`);
      await assertPortFree(ports.gateway, 'gateway');
      const gateway = await startGatewayProcess({
        endpoints: Object.entries(subgraphs).map(([name, url]) => ({ name, url })),
        // Historical `block:` queries need block timestamps; the chain the stack indexes has them.
        rpcUrl,
        port: ports.gateway,
        // Head views are kept current as graph-node indexes (anvil mines on demand: cheap when idle).
        followIntervalMs: 1000,
        logFile: path.join(logDir, 'gateway.log'),
        log,
        onStart: () => writePids(workDir, teardown),
      });
      teardown.add('gateway', gateway.stop, gateway.pid);
      writePids(workDir, teardown);
      gatewayUrl = gateway.url;
    }
    return {
      rpcUrl,
      network: options.network,
      subgraphs,
      builds,
      gatewayUrl,
      statusUrl: graphNode.statusUrl,
      graphNode: { pid: graphNodePid, adminUrl: graphNode.adminUrl, metricsUrl: graphNode.metricsUrl },
      postgresPid,
      postgresUrl,
      indexedBlock: head,
      devnet,
      indexing: {
        startBlock,
        blocks: head - startBlock + 1,
        seconds: indexingSeconds,
        handlerCalls: await handlerCount(graphNode.metricsUrl),
        graphNodeCpuSeconds,
      },
      logDir,
      failed: settledFailure(deaths),
      stop: () => teardown.run(log),
    };
  } catch (err) {
    await teardown.run(log);
    throw err;
  }
}

/** The first of the components' deaths, handled here so that nobody watching is not an unhandled rejection. */
function settledFailure(deaths: Promise<never>[]): Promise<never> {
  const first = Promise.race(deaths);
  first.catch(() => undefined);
  return first;
}

function exitOf(name: string, child: ChildProcess): Promise<never> {
  const exited = new Promise<never>((_, reject) => {
    if (child.exitCode !== null || child.signalCode !== null) return reject(new StackError('COMPONENT_FAILED', `${name} exited (code ${child.exitCode}, signal ${child.signalCode})`));
    child.once('exit', (code, signal) => reject(new StackError('COMPONENT_FAILED', `${name} exited (code ${code}, signal ${signal})`)));
  });
  exited.catch(() => undefined); // a start-up that fails stops it before anyone watches
  return exited;
}

/**
 * `<workDir>/pids.json`: the process groups the stack started, so that a supervisor (a test, a CI
 * script) can end them even if this process was killed before it could stop them itself.
 */
function writePids(workDir: string, teardown: Teardown): void {
  fs.writeFileSync(path.join(workDir, 'pids.json'), JSON.stringify(teardown.pids()));
}

async function blockNumber(rpcUrl: string): Promise<number> {
  const res = await fetch(rpcUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'eth_blockNumber', params: [] }),
    signal: AbortSignal.timeout(10_000),
  });
  const body = (await res.json()) as { result?: string; error?: { message: string } };
  if (!body.result) throw new StackError('COMPONENT_FAILED', `eth_blockNumber on ${redactUrl(rpcUrl)} failed: ${body.error?.message}`);
  return Number(BigInt(body.result));
}
