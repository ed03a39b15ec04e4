/**
 * `npm run bench:index [-- --accounts N --seed S --protocols ... --floor=false]`: brings the
 * devnet stack up with a scenario of N accounts (default 1,000; no gateway), lets graph-node index it
 * (the initial sync: handler calls, events/s, blocks/s, wall and graph-node CPU seconds, start-up
 * included), then measures on the same chain and the same graph-node, one after the other, two fresh
 * deployments of every protocol's manifest:
 *  - ours: a copy of the build graph-node just indexed;
 *  - floor: the same manifests compiled from stub mappings that only create the same templates
 *    (bench/floor.ts): what graph-node costs per trigger whatever the handlers do.
 * For each: handler calls, wall seconds, events/s, blocks/s, graph-node and Postgres CPU seconds (from
 * /proc), CPU ms per handler call, the machine's load average; for ours also graph-node's own
 * breakdown (per handler, host functions, eth_calls, stopwatch sections). Then the ratio ours/floor. Both measured runs find the blocks and receipts in
 * graph-node's chain cache (the initial sync fetched them); the eth_call cache is off
 * (GRAPH_STORE_DISABLE_CALL_CACHE), so each run pays for its calls as a first sync does.
 * A benchmark, not a test: compare the figures across changes on the same machine, at similar load.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { FlagSpec } from '../devnet/cli/options';
import { waitForSync } from '../devnet/stack/indexing-status';
import { processCpuSeconds, processTreeCpuSeconds } from '../devnet/stack/process-cpu';
import { buildSubgraph } from '../devnet/stack/subgraph-build';
import { startBenchStack, type BenchStack } from './bench-stack';
import { writeFloorMappings } from './floor';
import { deploymentProfile, scrapeMetrics, type CallsAndSeconds, type DeploymentProfile } from './graph-node-metrics';

const BENCH_FLAGS: FlagSpec[] = [
  { flag: 'floor', env: 'BENCH_FLOOR', kind: 'boolean', help: 'also measure the floor build (default true; --floor=false skips it)' },
];

const round = (x: number, digits = 2) => Number(x.toFixed(digits));
const load = () => os.loadavg().map((l) => round(l)) as [number, number, number];

async function admin(url: string, method: string, params: Record<string, string>): Promise<unknown> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }),
    signal: AbortSignal.timeout(60_000),
  });
  const body = (await res.json()) as { result?: unknown; error?: { message: string } };
  if (body.error) throw new Error(`graph-node admin ${method} failed: ${body.error.message}`);
  return body.result;
}

interface Run {
  variant: string;
  wallSeconds: number;
  graphNodeCpuSeconds: number | null;
  postgresCpuSeconds: number | null;
  loadBefore: [number, number, number];
  loadAfter: [number, number, number];
  profile: DeploymentProfile;
}

/**
 * Deploys `buildDirs` through the admin API (gnd takes a build's subgraph.yaml path as its hash) and
 * waits until all of them have indexed the head; CPU is read from /proc before and after.
 */
async function measure(bench: BenchStack, variant: string, buildDirs: string[]): Promise<Run> {
  const { stack } = bench;
  const deployments = buildDirs.map((dir) => path.join(dir, 'subgraph.yaml'));
  const log = (line: string) => console.error(`[bench-index] ${line}`);
  log(`measuring ${variant}: ${deployments.length} deployment(s)`);
  const loadBefore = load();
  const cpu0 = processCpuSeconds(stack.graphNode.pid);
  const pg0 = stack.postgresPid === undefined ? null : processTreeCpuSeconds(stack.postgresPid);
  const started = Date.now();
  for (const [i, hash] of deployments.entries()) {
    const name = `bench-${variant}-${i}`;
    await admin(stack.graphNode.adminUrl, 'subgraph_create', { name });
    await admin(stack.graphNode.adminUrl, 'subgraph_deploy', { name, ipfs_hash: hash });
  }
  await waitForSync({
    statusUrl: stack.statusUrl,
    expectedDeployments: deployments.length,
    deployments,
    targetBlock: stack.indexedBlock,
    timeoutMs: 3 * 3600_000,
    pollMs: 250,
  });
  const wallSeconds = (Date.now() - started) / 1000;
  const cpu1 = processCpuSeconds(stack.graphNode.pid);
  const pg1 = stack.postgresPid === undefined ? null : processTreeCpuSeconds(stack.postgresPid);
  const profile = deploymentProfile(await scrapeMetrics(stack.graphNode.metricsUrl), deployments);
  const run: Run = {
    variant,
    wallSeconds,
    graphNodeCpuSeconds: cpu0 === null || cpu1 === null ? null : cpu1 - cpu0,
    postgresCpuSeconds: pg0 === null || pg1 === null ? null : pg1 - pg0,
    loadBefore,
    loadAfter: load(),
    profile,
  };
  log(`${variant}: ${profile.handlerCalls} handler calls, ${run.graphNodeCpuSeconds?.toFixed(1)} s graph-node CPU, ${wallSeconds.toFixed(1)} s wall`);
  return run;
}

function figures(run: Run, blocks: number) {
  const calls = run.profile.handlerCalls;
  return {
    handlerCalls: calls,
    wallSeconds: round(run.wallSeconds, 1),
    eventsPerSecond: round(calls / run.wallSeconds, 1),
    blocksPerSecond: round(blocks / run.wallSeconds, 1),
    graphNodeCpuSeconds: run.graphNodeCpuSeconds === null ? null : round(run.graphNodeCpuSeconds),
    graphNodeCpuMsPerHandlerCall: run.graphNodeCpuSeconds === null || calls === 0 ? null : round((run.graphNodeCpuSeconds * 1000) / calls),
    postgresCpuSeconds: run.postgresCpuSeconds === null ? null : round(run.postgresCpuSeconds),
    handlerWallSeconds: round(run.profile.handlerSeconds),
    loadAverage: { before: run.loadBefore, after: run.loadAfter },
  };
}

const bySeconds = (m: Record<string, CallsAndSeconds>) =>
  Object.fromEntries(
    Object.entries(m)
      .sort((a, b) => b[1].seconds - a[1].seconds)
      .map(([k, v]) => [k, { calls: v.calls, ms: round(v.seconds * 1000, 1), msPerCall: v.calls ? round((v.seconds * 1000) / v.calls, 3) : null }]),
  );

/** graph-node's own breakdown of a run: where the handler time went. */
function breakdown(p: DeploymentProfile) {
  return {
    stopwatchSeconds: Object.fromEntries(
      Object.entries(p.sections)
        .filter(([, s]) => s >= 0.005)
        .sort((a, b) => b[1] - a[1])
        .map(([k, s]) => [k, round(s, 3)]),
    ),
    hostFns: bySeconds(p.hostFns),
    ethCalls: bySeconds(p.ethCalls),
  };
}

/** Per handler, ours beside the floor; `mismatch` lists handlers whose call counts differ (the floor missed a template). */
function perHandler(ours: DeploymentProfile, floor: DeploymentProfile | undefined) {
  const rows: Record<string, unknown> = {};
  const mismatch: Record<string, { ours: number; floor: number }> = {};
  const names = new Set([...Object.keys(ours.byHandler), ...Object.keys(floor?.byHandler ?? {})]);
  for (const name of [...names].sort((a, b) => (ours.byHandler[b]?.seconds ?? 0) - (ours.byHandler[a]?.seconds ?? 0))) {
    const o = ours.byHandler[name] ?? { calls: 0, seconds: 0 };
    const f = floor?.byHandler[name];
    if (floor && (f?.calls ?? 0) !== o.calls) mismatch[name] = { ours: o.calls, floor: f?.calls ?? 0 };
    rows[name] = {
      calls: o.calls,
      ms: round(o.seconds * 1000, 1),
      msPerCall: o.calls ? round((o.seconds * 1000) / o.calls, 3) : null,
      ...(f ? { floorMsPerCall: f.calls ? round((f.seconds * 1000) / f.calls, 3) : null } : {}),
    };
  }
  return { rows, mismatch };
}

async function main() {
  const wall = Date.now();
  const bench = await startBenchStack('bench-index', {
    flags: BENCH_FLAGS,
    gateway: false,
    graphNodeEnv: () => ({ GRAPH_STORE_DISABLE_CALL_CACHE: 'true' }),
  });
  try {
    const { stack, protocols, workDir } = bench;
    const { indexing, devnet } = stack;
    const initialLoad = load();
    const benchDir = path.join(workDir, 'bench-builds');
    const oursDirs = protocols.map((p) => {
      const dir = path.join(benchDir, `ours-${p.name}`);
      fs.cpSync(stack.builds[p.name], dir, { recursive: true });
      return dir;
    });
    const withFloor = bench.flags.floor !== false;
    const floorDirs: string[] = [];
    if (withFloor) {
      // Built before anything is measured: graph-cli would compete with graph-node for the cores.
      for (const p of protocols) {
        const mappings = writeFloorMappings(p.manifest, path.join(benchDir, 'floor-src'));
        const { buildDir } = await buildSubgraph({
          name: `floor-${p.name}`,
          manifest: p.manifest,
          network: stack.network,
          dataSources: p.dataSources(devnet[p.name].deployment),
          workDir: benchDir,
          codegen: false,
          mappings,
          log: (l) => console.error(`[bench-index] floor ${p.name}: ${l}`),
        });
        floorDirs.push(buildDir);
      }
    }
    const ours = await measure(bench, 'ours', oursDirs);
    const floor = withFloor ? await measure(bench, 'floor', floorDirs) : undefined;
    const blocks = indexing.blocks;
    const handlers = perHandler(ours.profile, floor?.profile);
    const ratio = (a: number | null, b: number | null | undefined) => (a === null || !b ? null : round(a / b));
    const result = {
      accounts: bench.accounts,
      seed: bench.seed,
      protocols: protocols.map((p) => p.name),
      scenarioActions: Object.fromEntries(Object.entries(devnet).map(([name, run]) => [name, run.scenario.counts])),
      blocks,
      initialSync: {
        handlerCalls: indexing.handlerCalls,
        wallSeconds: round(indexing.seconds),
        blocksPerSecond: round(indexing.blocks / indexing.seconds, 1),
        eventsPerSecond: indexing.handlerCalls === null ? null : round(indexing.handlerCalls / indexing.seconds, 1),
        graphNodeCpuSecondsWithStartup: indexing.graphNodeCpuSeconds === null ? null : round(indexing.graphNodeCpuSeconds),
        loadAverage: initialLoad,
      },
      ours: figures(ours, blocks),
      ...(floor ? { floor: figures(floor, blocks) } : {}),
      ...(floor
        ? {
            oursOverFloor: {
              graphNodeCpu: ratio(ours.graphNodeCpuSeconds, floor.graphNodeCpuSeconds),
              handlerWallSeconds: ratio(ours.profile.handlerSeconds, floor.profile.handlerSeconds),
              handlerCallsMatch: Object.keys(handlers.mismatch).length === 0 ? true : handlers.mismatch,
            },
          }
        : {}),
      perHandler: handlers.rows,
      oursBreakdown: breakdown(ours.profile),
      ...(floor ? { floorBreakdown: { stopwatchSeconds: breakdown(floor.profile).stopwatchSeconds } } : {}),
      wallSecondsIncludingScenario: round((Date.now() - wall) / 1000, 1),
      machine: `${os.cpus().length} cores, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, node ${process.version}`,
    };
    console.log(JSON.stringify(result, null, 2));
    const o = result.ours;
    const f = result.floor;
    console.error(
      `[bench-index] ours ${o.graphNodeCpuSeconds} s graph-node CPU (${o.graphNodeCpuMsPerHandlerCall} ms/call, ${o.handlerCalls} calls)` +
        (f ? `, floor ${f.graphNodeCpuSeconds} s (${f.graphNodeCpuMsPerHandlerCall} ms/call): ${result.oursOverFloor?.graphNodeCpu}x` : '') +
        `; load ${o.loadAverage.before.join(' ')}`,
    );
  } finally {
    await bench.stop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
