/**
 * `npm run bench:replay [-- --accounts 10000,100000] [--runs 5] [--head-blocks 5] [--warm 10]
 *  [--recording FILE] [--view-cache-size N] [--port-replay 19820] [--port-gateway 19821]
 *  [--cpu-prof-dir DIR]`: a gateway-only benchmark on a REPLAY of graph-node.
 *
 * The recording (bench/replay/record.ts: the real devnet stack, Aave V3.0, a gateway without an RPC)
 * holds every subgraph request the gateway made and graph-node's answers for a cold protocol-wide
 * query, a head update one block later and a warm repeat. The replay server (its own process) answers
 * the same query shapes from memory, with the recorded accounts cloned to N. Per size and run: a
 * fresh gateway (this process) answers the protocol-wide query at the base block (cold); then the
 * replay's head moves block by block (the recorded change, then the same change on other clones: a
 * few dozen positions a block) and the query is asked after each block (head update: the view
 * service moves its state forward, checked through gatewayStatus); then warm repeats. Prices are the
 * indexed events (INDEXED_EVENTS): the gateway has no RPC, so nothing here needs a chain.
 * First, at the recorded size, the replayed gateway must answer exactly as it did over graph-node.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import inspector from 'node:inspector/promises';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { isDeepStrictEqual } from 'node:util';
import { createGateway, type GatewayOptions } from '../server/app';
import { askGateway, postJson, STATUS_QUERY, type GatewayAnswer } from './replay/gateway-client';
import { DEFAULT_RECORDING, readRecording, type Phase, type Recording } from './replay/recording';

const ENDPOINT = 'aave-v3';

function flags(argv: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i < argv.length; i++) {
    const m = /^--([a-z-]+)(?:=(.*))?$/.exec(argv[i]);
    if (!m) throw new Error(`unknown argument ${argv[i]}`);
    out[m[1]] = m[2] ?? argv[++i];
  }
  return out;
}

const load = () => os.loadavg().map((x) => +x.toFixed(2));
const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return +s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)].toFixed(1);
};
const stat = (xs: number[]) => ({ p50: pct(xs, 50), p95: pct(xs, 95), min: +Math.min(...xs).toFixed(1), max: +Math.max(...xs).toFixed(1), n: xs.length });
const mb = (bytes: number) => Math.round(bytes / 2 ** 20);
const gc = () => (globalThis as { gc?: () => void }).gc?.();

interface Replay {
  url: string;
  base: number;
  head: number;
  summary: Record<string, unknown>;
  synthMs: number;
  rssBytes: number;
  child: ChildProcess;
  control(path: string, body?: unknown): Promise<any>;
  stop(): Promise<void>;
}

async function startReplay(recordingFile: string, accounts: number | undefined, port: number, headBlocks = 1): Promise<Replay> {
  const args = ['--max-old-space-size=4096', '--import', 'tsx', path.join(__dirname, 'replay', 'serve.ts'), '--recording', recordingFile, '--port', String(port), '--head-blocks', String(headBlocks)];
  if (accounts !== undefined) args.push('--accounts', String(accounts));
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  const ready = await new Promise<Omit<Replay, 'child' | 'control' | 'stop'>>((resolve, reject) => {
    readline.createInterface({ input: child.stdout! }).once('line', (line) => resolve(JSON.parse(line)));
    void exited.then((code) => reject(new Error(`the replay server exited (code ${code}) before it listened`)));
  });
  const root = new URL(ready.url).origin;
  return {
    ...ready,
    child,
    control: async (p, body) => (body === undefined ? (await fetch(`${root}${p}`)).json() : (await postJson(`${root}${p}`, body)).json),
    stop: async () => {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

/** CPU profile of `body` (this process: the gateway) into `file`, when a file is given. */
async function profiled<T>(file: string | undefined, body: () => Promise<T>): Promise<T> {
  if (!file) return body();
  const session = new inspector.Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.start');
  try {
    return await body();
  } finally {
    const { profile } = await session.post('Profiler.stop');
    fs.writeFileSync(file, JSON.stringify(profile));
    session.disconnect();
  }
}

interface FollowedView {
  block: { number: number };
  accounts: number;
  positions: number;
  updates: number;
  reorgs: number;
}

async function gatewayStatus(url: string) {
  const s = (await askGateway(url, STATUS_QUERY)).data as { gatewayStatus: { rssBytes: string; heapUsedBytes: string; followedViews: FollowedView[] } };
  return { rss: Number(s.gatewayStatus.rssBytes), heap: Number(s.gatewayStatus.heapUsedBytes), view: s.gatewayStatus.followedViews[0] };
}

/** A fresh gateway (no RPC) over the replay; stopped after `body`. */
async function withGateway<T>(replay: Replay, port: number, body: (url: string) => Promise<T>, options: Partial<GatewayOptions> = {}): Promise<T> {
  await replay.control('/_replay/head', { block: replay.base });
  gc();
  const { url, stop } = await createGateway({ ...options, endpoints: [{ name: ENDPOINT, url: replay.url }] }).listen(port);
  try {
    return await body(url);
  } finally {
    await stop();
  }
}

/** At the recorded size the replayed gateway answers exactly what it answered over graph-node. */
async function checkFidelity(recording: Recording, replay: Replay, port: number): Promise<Record<Phase, { same: boolean; subgraphRequests: number; recordedRequests: number }>> {
  return withGateway(replay, port, async (url) => {
    const out = {} as Record<Phase, { same: boolean; subgraphRequests: number; recordedRequests: number }>;
    for (const phase of ['cold', 'head', 'warm'] as Phase[]) {
      if (phase === 'head') await replay.control('/_replay/head', { block: recording.head.number });
      const a = await askGateway(url, recording.gatewayQuery);
      const want = recording.gatewayAnswers[phase];
      out[phase] = { same: isDeepStrictEqual(a.data, want.data), subgraphRequests: a.subgraphRequests, recordedRequests: want.subgraphRequests };
    }
    return out;
  });
}

/** A gateway query with the CPU time this process (the gateway) spent meanwhile: comparable across machine loads, unlike wall time. */
async function timedQuery(url: string, query: string): Promise<GatewayAnswer & { cpuMs: number }> {
  const before = process.cpuUsage();
  const answer = await askGateway(url, query);
  const used = process.cpuUsage(before);
  return { ...answer, cpuMs: (used.user + used.system) / 1000 };
}

async function measure(recording: Recording, replay: Replay, port: number, runs: number, warmRuns: number, profileDir?: string, gatewayOptions: Partial<GatewayOptions> = {}) {
  const cold: number[] = [];
  const head: number[] = [];
  const warm: number[] = [];
  const cpu = { cold: [] as number[], head: [] as number[], warm: [] as number[] };
  const requests = { cold: new Set<number>(), head: new Set<number>(), warm: new Set<number>() };
  // RSS after the cold query and after each head update, per run (MB).
  const rss: number[][] = [];
  const loads: number[][] = [];
  let figures: unknown;
  let coldFigures: unknown;
  let view: FollowedView | undefined;
  for (let r = 0; r < runs; r++) {
    await withGateway(replay, port, async (url) => {
      loads.push(load());
      const prof = (phase: string) => (profileDir && r === 0 ? path.join(profileDir, `${replay.summary.accounts}-${phase}.cpuprofile`) : undefined);
      const c = await profiled(prof('cold'), () => timedQuery(url, recording.gatewayQuery));
      cold.push(c.ms);
      cpu.cold.push(c.cpuMs);
      requests.cold.add(c.subgraphRequests);
      coldFigures = c.data;
      const series = [mb((await gatewayStatus(url)).rss)];
      // The replay's head moves block by block; each block changes a few dozen positions.
      for (let block = replay.base + 1; block <= replay.head; block++) {
        await replay.control('/_replay/head', { block });
        const first = block === replay.base + 1;
        const h = await profiled(first || block === replay.head ? prof(first ? 'head' : 'last-head') : undefined, () => timedQuery(url, recording.gatewayQuery));
        head.push(h.ms);
        cpu.head.push(h.cpuMs);
        requests.head.add(h.subgraphRequests);
        const s = await gatewayStatus(url);
        series.push(mb(s.rss));
        // The view service must have moved its state forward (one load, then one advance a block), not reloaded it.
        const updates = block - replay.base + 1;
        if (s.view.block.number !== block || s.view.updates !== updates || s.view.reorgs !== 0) throw new Error(`the head update did not advance the followed view: ${JSON.stringify(s.view)}`);
        view = s.view;
        figures = h.data;
      }
      for (let w = 0; w < warmRuns; w++) {
        const x = await timedQuery(url, recording.gatewayQuery);
        warm.push(x.ms);
        cpu.warm.push(x.cpuMs);
        requests.warm.add(x.subgraphRequests);
      }
      rss.push(series);
      loads.push(load());
    }, gatewayOptions);
  }
  return {
    coldMs: stat(cold),
    headUpdateMs: stat(head),
    warmMs: stat(warm),
    // CPU time of this process (the gateway) per query: what the machine's load does not inflate.
    gatewayCpuMs: { cold: stat(cpu.cold), head: stat(cpu.head), warm: stat(cpu.warm) },
    subgraphRequests: { cold: [...requests.cold], head: [...requests.head], warm: [...requests.warm] },
    gatewayRssMB: { max: Math.max(...rss.flat()), afterColdThenEachHeadUpdate: rss[0], processPeak: Math.round(process.resourceUsage().maxRSS / 1024) },
    followedView: view,
    figuresAtBase: coldFigures,
    figuresAtHead: figures,
    loadavg: { first: loads[0], last: loads[loads.length - 1] },
  };
}

type Figures = { protocols: { latentBadDebtUSD: string; solvencyRatio: string; insolventAccounts: number }[] };

/** The grown protocol's figures next to the recorded ones: sums grow about N / recorded accounts times, ratios stay. */
function scaleCheck(recording: Recording, grown: unknown, summary: { accounts: number; recordedAccounts: number }) {
  const [a] = (recording.gatewayAnswers.cold.data as Figures).protocols;
  const [b] = (grown as Figures).protocols;
  const times = (x: number, y: number) => +(x / y).toFixed(2);
  return {
    accounts: times(summary.accounts, summary.recordedAccounts),
    latentBadDebtUSD: times(Number(b.latentBadDebtUSD), Number(a.latentBadDebtUSD)),
    insolventAccounts: times(b.insolventAccounts, a.insolventAccounts),
    solvencyRatio: { recorded: a.solvencyRatio, grown: b.solvencyRatio },
  };
}

async function main() {
  const f = flags(process.argv.slice(2));
  const recordingFile = path.resolve(f.recording ?? DEFAULT_RECORDING);
  const sizes = (f.accounts ?? '10000,100000').split(',').map(Number);
  const runs = Number(f.runs ?? 5);
  const warmRuns = Number(f.warm ?? 10);
  // Head updates per run: block base+1 is the recorded one, later ones repeat it on other clones.
  const headBlocks = Number(f['head-blocks'] ?? 5);
  // The gateway's cache of computed views (createGateway viewCacheSize; default: the gateway's own).
  const gatewayOptions: Partial<GatewayOptions> = f['view-cache-size'] ? { viewCacheSize: Number(f['view-cache-size']) } : {};
  const replayPort = Number(f['port-replay'] ?? 19820);
  const gatewayPort = Number(f['port-gateway'] ?? 19821);
  // CPU profiles of the first run's cold query and first and last head update (this process: the gateway).
  const profileDir = f['cpu-prof-dir'] && path.resolve(f['cpu-prof-dir']);
  if (profileDir) fs.mkdirSync(profileDir, { recursive: true });
  const recording = readRecording(recordingFile);
  if (!(globalThis as { gc?: unknown }).gc) console.error('[bench:replay] run with --expose-gc for comparable RSS figures');
  const say = (line: string) => console.error(`[bench:replay] ${line}`);

  const report: Record<string, unknown> = {
    benchmark: 'REPLAY (not a live graph-node): gateway-only, protocol-wide query',
    query: recording.gatewayQuery,
    pricing: 'INDEXED_EVENTS: the gateway runs without an RPC; prices are the last indexed oracle events, as recorded',
    recording: { file: path.relative(process.cwd(), recordingFile), recordedAt: recording.recordedAt, source: recording.source, base: recording.base.number, head: recording.head.number, headUpdate: recording.headUpdate },
    gateway: { viewCacheSize: gatewayOptions.viewCacheSize ?? 'default (16)', rpcUrl: 'none' },
    machine: { cores: os.cpus().length, node: process.version, loadavgAtStart: load() },
    fidelity: null as unknown,
    results: {} as Record<string, unknown>,
  };

  const exact = await startReplay(recordingFile, undefined, replayPort);
  try {
    say(`fidelity check at the recorded size (${(exact.summary as { accounts: number }).accounts} accounts)`);
    const fidelity = await checkFidelity(recording, exact, gatewayPort);
    report.fidelity = fidelity;
    const bad = Object.entries(fidelity).filter(([, v]) => !v.same || v.subgraphRequests !== v.recordedRequests);
    if (bad.length) throw new Error(`the replayed gateway does not answer as it did over graph-node: ${JSON.stringify(fidelity)}`);
  } finally {
    await exact.stop();
  }

  for (const accounts of sizes) {
    say(`${accounts} accounts: synthesizing`);
    const replay = await startReplay(recordingFile, accounts, replayPort, headBlocks);
    try {
      say(`${accounts} accounts: ${JSON.stringify(replay.summary)}, synthesized in ${replay.synthMs} ms; ${runs} runs`);
      const m = await measure(recording, replay, gatewayPort, runs, warmRuns, profileDir, gatewayOptions);
      const stats = await replay.control('/_replay/stats');
      if (stats.unsupported || stats.errors) throw new Error(`the replay refused ${stats.unsupported} requests and answered ${stats.errors} with errors: ${stats.lastUnsupported}`);
      (report.results as Record<string, unknown>)[String(accounts)] = {
        replay: { ...replay.summary, headBlocks, synthMs: replay.synthMs, serverRssMB: mb(replay.rssBytes), requestsServed: stats.requests, serverBusyMs: Math.round(stats.busyMs), serverCpuMs: Math.round(stats.cpuMs) },
        ...m,
        scaleCheck: scaleCheck(recording, m.figuresAtBase, replay.summary as { accounts: number; recordedAccounts: number }),
      };
      say(`${accounts} accounts: cold p50 ${m.coldMs.p50} ms (CPU ${m.gatewayCpuMs.cold.p50}), head update p50 ${m.headUpdateMs.p50} ms (CPU ${m.gatewayCpuMs.head.p50}), warm p50 ${m.warmMs.p50} ms, RSS max ${m.gatewayRssMB.max} MB (${m.gatewayRssMB.afterColdThenEachHeadUpdate.join(' > ')}) (load ${m.loadavg.last.join(' ')})`);
    } finally {
      await replay.stop();
    }
  }
  (report.machine as Record<string, unknown>).loadavgAtEnd = load();
  console.log(JSON.stringify(report, null, 2));
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
