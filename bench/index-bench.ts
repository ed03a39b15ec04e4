/**
 * `npm run bench:index [-- --accounts N --seed S --protocols ... --repeat R --floor=false]`: brings the
 * devnet stack up with a scenario of N accounts (default 1,000; no gateway), lets graph-node index it
 * (the initial sync: handler calls, events/s, blocks/s, wall and graph-node CPU seconds, start-up
 * included), then measures on the same chain and the same graph-node, one after the other, fresh
 * deployments (admin API) of every protocol's manifest:
 *  - ours: a copy of the build graph-node just indexed;
 *  - floor: the same manifests compiled from stub mappings that only create the same templates
 *    (bench/floor.ts): what graph-node costs per trigger whatever the handlers do.
 * For each: handler calls, wall seconds, events/s, blocks/s, graph-node and Postgres CPU seconds (from
 * /proc), CPU ms per handler call, the machine's load average; for ours also graph-node's own
 * breakdown (per handler, host functions, eth_calls, stopwatch sections). Then the ratio ours/floor,
 * and whether both builds got the same handler calls. --baseline REV also measures the subgraph as
 * committed at REV (before/after on one chain) and compares the facts both stored, every entity table
 * and its version history row by row (bench/compare-facts.ts); --repeat R alternates R runs of each and reports the
 * median. The measured runs find the blocks and receipts in graph-node's chain cache (the
 * initial sync fetched them); the eth_call cache is off (GRAPH_STORE_DISABLE_CALL_CACHE), so each run
 * pays for its calls as a first sync does; graph-node logs at info (GRAPH_LOG=debug for gnd's default).
 * A benchmark, not a test: compare the figures across changes on the same machine, at similar load.
 */
import { execSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { repoRoot, type FlagSpec } from '../devnet/cli/options';
import { waitForSync } from '../devnet/stack/indexing-status';
import { processCpuSeconds, processTreeCpuSeconds } from '../devnet/stack/process-cpu';
import { buildSubgraph, buildSubgraphs } from '../devnet/stack/subgraph-build';
import { compareFacts, type FactsComparison } from './compare-facts';
import { startBenchStack, type BenchStack } from './bench-stack';
import { writeFloorMappings } from './floor';
import { deploymentProfile, scrapeMetrics, type CallsAndSeconds, type DeploymentProfile } from './graph-node-metrics';

const BENCH_FLAGS: FlagSpec[] = [
  { flag: 'floor', env: 'BENCH_FLOOR', kind: 'boolean', help: 'also measure the floor build (default true; --floor=false skips it)' },
  { flag: 'repeat', env: 'BENCH_REPEAT', kind: 'int', help: 'measured runs per build, alternating ours and floor; the median run is reported (default 1)' },
  { flag: 'baseline', env: 'BENCH_BASELINE', kind: 'string', help: 'also measure the subgraph as committed at this git revision (e.g. main): before/after on one chain' },
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
  /** The deployments measured (their hashes: each build's subgraph.yaml path), one per protocol. */
  deployments: string[];
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
    deployments,
  };
  log(`${variant}: ${profile.handlerCalls} handler calls, ${run.graphNodeCpuSeconds?.toFixed(1)} s graph-node CPU, ${wallSeconds.toFixed(1)} s wall`);
  return run;
}

/** The run with the median graph-node CPU time (the lower middle one of an even count). */
function medianRun(runs: Run[]): Run {
  const sorted = [...runs].sort((a, b) => (a.graphNodeCpuSeconds ?? 0) - (b.graphNodeCpuSeconds ?? 0));
  return sorted[Math.floor((sorted.length - 1) / 2)];
}

function figures(run: Run, blocks: number, runs: Run[]) {
  const calls = run.profile.handlerCalls;
  return {
    ...(runs.length > 1 ? { graphNodeCpuSecondsOfEveryRun: runs.map((r) => (r.graphNodeCpuSeconds === null ? null : round(r.graphNodeCpuSeconds))) } : {}),
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

const msPerCall = (h: CallsAndSeconds) => (h.calls ? round((h.seconds * 1000) / h.calls, 3) : null);

const bySeconds = (m: Record<string, CallsAndSeconds>) =>
  Object.fromEntries(
    Object.entries(m)
      .sort((a, b) => b[1].seconds - a[1].seconds)
      .map(([k, v]) => [k, { calls: v.calls, ms: round(v.seconds * 1000, 1), msPerCall: msPerCall(v) }]),
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

/** Per handler, ours beside the floor (and the baseline); `mismatch` lists handlers whose call counts differ (the floor missed a template). */
function perHandler(ours: DeploymentProfile, floor: DeploymentProfile | undefined, baseline: DeploymentProfile | undefined) {
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
      msPerCall: msPerCall(o),
      ...(f ? { floorMsPerCall: msPerCall(f) } : {}),
      ...(baseline?.byHandler[name] ? { baselineMsPerCall: msPerCall(baseline.byHandler[name]) } : {}),
    };
  }
  return { rows, mismatch };
}

/**
 * Builds every protocol's manifest as committed at `rev` (git archive of subgraph/, the schema and
 * the ABIs into the bench directory, compiled with this checkout's graph-cli and graph-ts).
 */
async function buildBaseline(bench: BenchStack, rev: string, benchDir: string): Promise<string[]> {
  if (!/^[\w./~^@{}-]+$/.test(rev)) throw new Error(`--baseline: not a git revision: ${rev}`);
  const root = path.join(benchDir, 'baseline-src');
  fs.mkdirSync(root, { recursive: true });
  execSync(`git archive --format=tar ${rev} subgraph schema.graphql abis | tar -x -C ${JSON.stringify(root)}`, { cwd: repoRoot, stdio: ['ignore', 'ignore', 'inherit'] });
  fs.symlinkSync(path.join(repoRoot, 'node_modules'), path.join(root, 'node_modules'));
  // Each manifest compiled once, like the stack's own builds (the aave-v3 devnets share one).
  const targets = bench.protocols.map((p) => ({
    name: `baseline-${p.name}`,
    manifest: path.join(root, 'subgraph', path.basename(p.manifest)),
    dataSources: p.dataSources(bench.stack.devnet[p.name].deployment),
  }));
  const builds = await buildSubgraphs(targets, { network: bench.stack.network, workDir: benchDir, log: (l) => console.error(`[bench-index] baseline ${rev}: ${l}`) });
  return builds.map((b) => b.buildDir);
}

/** Every protocol's stored facts, ours against the baseline (bench/compare-facts.ts). */
async function compareWithBaseline(bench: BenchStack, ours: Run, baseline: Run): Promise<Record<string, FactsComparison>> {
  const out: Record<string, FactsComparison> = {};
  for (const [i, p] of bench.protocols.entries()) {
    out[p.name] = await compareFacts(bench.stack.postgresUrl, ours.deployments[i], baseline.deployments[i]);
    const c = out[p.name];
    console.error(`[bench-index] facts ${p.name}: ${c.identical ? 'identical' : 'DIFFERENT'} (${c.tables} tables, ${c.rows} rows)`);
  }
  return out;
}

async function main() {
  const wall = Date.now();
  const bench = await startBenchStack('bench-index', {
    flags: BENCH_FLAGS,
    gateway: false,
    // gnd logs at debug level unless told otherwise; graph-node in production logs at info, and
    // debug logging alone is a fifth of the floor's CPU. GRAPH_LOG=debug measures with it.
    graphNodeEnv: () => ({ GRAPH_STORE_DISABLE_CALL_CACHE: 'true', GRAPH_LOG: process.env.GRAPH_LOG ?? 'info' }),
  });
  try {
    const { stack, protocols, workDir } = bench;
    const { indexing, devnet } = stack;
    const initialLoad = load();
    const benchDir = path.join(workDir, 'bench-builds');
    const repeat = (bench.flags.repeat as number | undefined) ?? 1;
    // Every measured run deploys fresh copies (gnd names a deployment after its build's path).
    const copies = (dirs: string[], variant: string, run: number) =>
      dirs.map((dir, i) => {
        const copy = path.join(benchDir, `${variant}${run}-${protocols[i].name}`);
        fs.cpSync(dir, copy, { recursive: true });
        return copy;
      });
    const oursDirs = protocols.map((p) => stack.builds[p.name]);
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
    const baselineRev = bench.flags.baseline as string | undefined;
    const baselineDirs = baselineRev ? await buildBaseline(bench, baselineRev, benchDir) : [];
    const oursRuns: Run[] = [];
    const floorRuns: Run[] = [];
    const baselineRuns: Run[] = [];
    for (let run = 1; run <= repeat; run++) {
      oursRuns.push(await measure(bench, `ours${run}`, copies(oursDirs, 'ours', run)));
      if (baselineRev) baselineRuns.push(await measure(bench, `baseline${run}`, copies(baselineDirs, 'baseline', run)));
      if (withFloor) floorRuns.push(await measure(bench, `floor${run}`, copies(floorDirs, 'floor', run)));
    }
    const ours = medianRun(oursRuns);
    const floor = withFloor ? medianRun(floorRuns) : undefined;
    const baseline = baselineRev ? medianRun(baselineRuns) : undefined;
    // The first runs of ours and the baseline indexed the same chain: same facts, protocol by protocol?
    const facts = baselineRev ? await compareWithBaseline(bench, oursRuns[0], baselineRuns[0]) : undefined;
    const blocks = indexing.blocks;
    const handlers = perHandler(ours.profile, floor?.profile, baseline?.profile);
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
      ours: figures(ours, blocks, oursRuns),
      ...(floor ? { floor: figures(floor, blocks, floorRuns) } : {}),
      ...(floor
        ? {
            oursOverFloor: {
              graphNodeCpu: ratio(ours.graphNodeCpuSeconds, floor.graphNodeCpuSeconds),
              handlerWallSeconds: ratio(ours.profile.handlerSeconds, floor.profile.handlerSeconds),
              handlerCallsMatch: Object.keys(handlers.mismatch).length === 0 ? true : handlers.mismatch,
            },
          }
        : {}),
      ...(baseline
        ? {
            baseline: { rev: baselineRev, ...figures(baseline, blocks, baselineRuns) },
            oursOverBaseline: { graphNodeCpu: ratio(ours.graphNodeCpuSeconds, baseline.graphNodeCpuSeconds) },
            factsVsBaseline: facts,
            ...(floor ? { baselineOverFloor: { graphNodeCpu: ratio(baseline.graphNodeCpuSeconds, floor.graphNodeCpuSeconds) } } : {}),
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
