/**
 * `npm run bench:gateway [-- --accounts N]`: brings the devnet stack up with N accounts (default
 * 1,000), then measures gateway queries against the real graph-node: cold latency (a fresh gateway,
 * empty caches), warm latency (repeated on one gateway), p50/p95, and how many subgraph HTTP requests
 * each query cost. A benchmark, not a test.
 */
import os from 'node:os';
import { freePort } from '../devnet/stack/ports';
import { createGateway } from '../server/app';
import { startBenchStack } from './bench-stack';

const QUERIES: Record<string, string> = {
  'protocol-level': '{ protocols { latentBadDebtUSD solvencyRatio equityUSD coverageRatio insolventAccounts liquidatableAccounts atRiskDebtUSD markets { totalSuppliedUSD totalBorrowedUSD latentBadDebtUSD utilization } } }',
  'top-underwater-accounts': '{ accounts(protocol: "aave-v3", where: { insolvent: true }, orderBy: BAD_DEBT_USD_DESC, first: 20) { totalCount items { address badDebtUSD debtUSD healthFactor } } }',
  'single-account': '', // filled in with a real borrower below
};

const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))];

async function timed(url: string, query: string): Promise<{ ms: number; subgraphRequests: number }> {
  const t = process.hrtime.bigint();
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query }) });
  const body = (await res.json()) as { errors?: unknown[]; extensions?: { subgraphRequests?: number } };
  if (body.errors) throw new Error(`query failed: ${JSON.stringify(body.errors)}`);
  return { ms: Number(process.hrtime.bigint() - t) / 1e6, subgraphRequests: body.extensions?.subgraphRequests ?? -1 };
}

async function main() {
  const { stack, accounts, stop } = await startBenchStack('bench-gateway');
  try {
    const endpoints = Object.entries(stack.subgraphs).map(([name, url]) => ({ name, url }));
    const scenario = stack.devnet['aave-v3'].scenario;
    const borrower = scenario.badDebtAccounts[0] ?? scenario.accounts[0];
    QUERIES['single-account'] = `{ account(protocol: "aave-v3", address: "${borrower}") { debtUSD collateralUSD healthFactor positions { borrowedUSD } } }`;
    const results: Record<string, unknown> = {};
    for (const [name, query] of Object.entries(QUERIES)) {
      const cold: number[] = [];
      let coldRequests = 0;
      for (let i = 0; i < 5; i++) {
        const fresh = createGateway({ endpoints, rpcUrl: stack.rpcUrl });
        const { url, stop } = await fresh.listen(await freePort());
        const r = await timed(url, query);
        cold.push(r.ms);
        coldRequests = r.subgraphRequests;
        await stop();
      }
      const warm: number[] = [];
      let warmRequests = 0;
      for (let i = 0; i < 30; i++) {
        const r = await timed(stack.gatewayUrl, query);
        warm.push(r.ms);
        warmRequests = r.subgraphRequests;
      }
      results[name] = {
        coldMs: { p50: +pct(cold, 50).toFixed(1), p95: +pct(cold, 95).toFixed(1) },
        warmMs: { p50: +pct(warm.slice(1), 50).toFixed(1), p95: +pct(warm.slice(1), 95).toFixed(1) },
        subgraphRequests: { cold: coldRequests, warm: warmRequests },
      };
    }
    console.log(JSON.stringify({ accounts, machine: `${os.cpus().length} cores, node ${process.version}`, results }, null, 2));
  } finally {
    await stop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
