/**
 * `npm run bench:load [-- --stack-state FILE | --accounts N ...] [--duration 60] [--rate 200]
 *  [--connections 50] [--historical-blocks 40]`: HTTP load on one gateway process (server/main.ts,
 * following the head every second) over the devnet stack's graph-node, with autocannon.
 *
 * Two runs, one after the other:
 *  1. head mix at a fixed offered rate (the dashboards' and bots' traffic: protocol-wide figures, the
 *     top underwater accounts, single accounts): requests/s, latency percentiles, errors;
 *  2. the same mix with 30% historical queries (`block:` spread over --historical-blocks past blocks,
 *     more than the view cache holds), unthrottled: the ceiling, and the gateway's CPU per request.
 * Every response is read: a GraphQL `errors` entry counts as an error as much as a non-2xx status.
 * A benchmark, not a test.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import os from 'node:os';
import autocannon from 'autocannon';
import { freePort } from '../devnet/stack/ports';
import { processCpuSeconds } from '../devnet/stack/process-cpu';
import { attachBenchStack, startBenchStack, type BenchStackState } from './bench-stack';

interface Flags {
  stateFile?: string;
  duration: number;
  rate: number;
  connections: number;
  historicalBlocks: number;
  stackArgs: string[];
}

function parse(argv: string[]): Flags {
  const out: Flags = { duration: 60, rate: 200, connections: 50, historicalBlocks: 40, stackArgs: [] };
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split(/=(.*)/s, 2);
    const value = () => inline ?? argv[++i];
    if (flag === '--stack-state') out.stateFile = value();
    else if (flag === '--duration') out.duration = Number(value());
    else if (flag === '--rate') out.rate = Number(value());
    else if (flag === '--connections') out.connections = Number(value());
    else if (flag === '--historical-blocks') out.historicalBlocks = Number(value());
    else out.stackArgs.push(argv[i]);
  }
  return out;
}

const body = (query: string) => JSON.stringify({ query });

/** The head traffic of a dashboard and a few bots, in the proportions they poll. */
function headMix(stack: BenchStackState): string[] {
  const scenario = stack.devnet['aave-v3'].scenario as { accounts: string[]; badDebtAccounts?: string[] };
  const someone = (scenario.badDebtAccounts?.[0] ?? scenario.accounts[0]).toLowerCase();
  return [
    '{ protocols { slug latentBadDebtUSD solvencyRatio equityUSD coverageRatio insolventAccounts liquidatableAccounts atRiskDebtUSD block { number } markets { totalSuppliedUSD totalBorrowedUSD latentBadDebtUSD utilization } } }',
    '{ accounts(protocol: "aave-v3", where: { insolvent: true }, orderBy: BAD_DEBT_USD_DESC, first: 20) { totalCount items { address badDebtUSD debtUSD healthFactor } } }',
    `{ account(protocol: "aave-v3", address: "${someone}") { debtUSD collateralUSD healthFactor } }`,
    '{ protocol(id: "aave-v3") { latentBadDebtUSD insolventAccounts block { number } } }',
  ].map(body);
}

/** The gateway process's CPU seconds so far (0 where /proc is missing: the per-request figure is then 0). */
const cpuSeconds = (pid: number) => processCpuSeconds(pid) ?? 0;

async function startGateway(stack: BenchStackState): Promise<{ url: string; child: ChildProcess }> {
  const port = await freePort();
  const args = ['--import', 'tsx', 'server/main.ts', '--rpc', stack.rpcUrl, '--port', String(port), '--follow-interval-ms', '1000'];
  for (const [name, url] of Object.entries(stack.subgraphs)) args.push('--subgraph', `${name}=${url}`);
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout!.on('data', (b: Buffer) => {
      const m = /gateway: (http\S+)/.exec(b.toString());
      if (m) resolve(m[1]);
    });
    child.once('exit', (code) => reject(new Error(`the gateway exited (${code})`)));
  });
  return { url, child };
}

async function run(url: string, bodies: string[], options: { duration: number; connections: number; rate?: number }) {
  let graphqlErrors = 0;
  let firstError: string | null = null;
  const result = await autocannon({
    url,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    connections: options.connections,
    duration: options.duration,
    overallRate: options.rate,
    requests: bodies.map((b) => ({ method: 'POST', body: b })),
    setupClient: (client) => {
      client.on('body', (buf: Buffer) => {
        const text = buf.toString();
        if (text.includes('"errors"')) {
          graphqlErrors++;
          firstError ??= text.slice(0, 300);
        }
      });
    },
  });
  const l = result.latency;
  return {
    requestsPerSecond: +result.requests.average.toFixed(1),
    requests: result.requests.total,
    latencyMs: { p50: l.p50, p90: l.p90, p97_5: l.p97_5, p99: l.p99, max: l.max },
    errors: result.errors,
    timeouts: result.timeouts,
    non2xx: result.non2xx,
    graphqlErrors,
    firstError,
  };
}

async function main() {
  const flags = parse(process.argv.slice(2));
  const { stack, accounts, stop } = flags.stateFile ? attachBenchStack(flags.stateFile) : await startBenchStack('bench-load', { argv: flags.stackArgs });
  const gateway = await startGateway(stack);
  try {
    const head = headMix(stack);
    // Warm every shape once and let the follow loop hold the head.
    for (const b of head) await fetch(gateway.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: b });
    await new Promise((r) => setTimeout(r, 2500));
    const indexed = ((await (await fetch(gateway.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: head[3] })).json()) as { data: { protocol: { block: { number: number } } } }).data.protocol.block.number;

    const cpu0 = cpuSeconds(gateway.child.pid!);
    const headRun = await run(gateway.url, head, { duration: flags.duration, connections: flags.connections, rate: flags.rate });
    const cpu1 = cpuSeconds(gateway.child.pid!);

    // 30% historical: 3 of every 10 requests at one of N past blocks (more than the 16 views kept).
    const past = Array.from({ length: flags.historicalBlocks }, (_, i) => indexed - 1 - i * Math.max(1, Math.floor(indexed / (2 * flags.historicalBlocks))));
    const mixed: string[] = [];
    for (let i = 0; i < past.length; i++) {
      mixed.push(...head.slice(0, 2), head[2], head[3], head[0], head[1], head[3]);
      mixed.push(body(`{ protocols(block: ${past[i]}) { slug latentBadDebtUSD insolventAccounts block { number } } }`));
      mixed.push(body(`{ protocol(id: "aave-v3", block: ${past[(i + 7) % past.length]}) { latentBadDebtUSD solvencyRatio } }`));
      mixed.push(body(`{ accounts(protocol: "aave-v3", where: { insolvent: true }, first: 10, block: ${past[(i + 13) % past.length]}) { totalCount } }`));
    }
    const mixedRun = await run(gateway.url, mixed, { duration: flags.duration, connections: 10 });
    const cpu2 = cpuSeconds(gateway.child.pid!);

    console.log(
      JSON.stringify(
        {
          accounts,
          indexedBlock: indexed,
          machine: `${os.cpus().length} cores, node ${process.version}`,
          loadAverageAtEnd: os.loadavg().map((x) => +x.toFixed(2)),
          gateway: 'server/main.ts, one process, --follow-interval-ms 1000',
          headMix: { offeredRate: flags.rate, connections: flags.connections, durationS: flags.duration, ...headRun, gatewayCpuMsPerRequest: +(((cpu1 - cpu0) * 1000) / Math.max(1, headRun.requests)).toFixed(2) },
          withHistorical30pct: { unthrottled: true, connections: 10, durationS: flags.duration, historicalBlocks: past.length, ...mixedRun, gatewayCpuMsPerRequest: +(((cpu2 - cpu1) * 1000) / Math.max(1, mixedRun.requests)).toFixed(2) },
        },
        null,
        2,
      ),
    );
  } finally {
    gateway.child.kill('SIGTERM');
    await stop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
