/**
 * `npm run bench:gateway [-- --accounts N]`: brings the devnet stack up with N accounts (default
 * 1,000), then measures gateway queries against the real graph-node: cold latency (a fresh gateway,
 * empty caches), warm latency (repeated on one gateway), p50/p95, and how many subgraph HTTP requests
 * each query cost. A benchmark, not a test. `--stack-state FILE` measures a stack `npm start` left
 * running instead (its state file; e.g. seeded once with `--accounts 10000 --protocols aave-v3`).
 */
import { spawn } from 'node:child_process';
import os from 'node:os';
import { createPublicClient, createTestClient, createWalletClient, encodeFunctionData, http, parseAbi, type Address } from 'viem';
import { freePort } from '../devnet/stack/ports';
import { createGateway } from '../server/app';
import { attachBenchStack, startBenchStack } from './bench-stack';

const QUERIES: Record<string, string> = {
  'protocol-level': '{ protocols { latentBadDebtUSD solvencyRatio equityUSD coverageRatio insolventAccounts liquidatableAccounts atRiskDebtUSD markets { totalSuppliedUSD totalBorrowedUSD latentBadDebtUSD utilization } } }',
  'top-underwater-accounts': '{ accounts(protocol: "aave-v3", where: { insolvent: true }, orderBy: BAD_DEBT_USD_DESC, first: 20) { totalCount items { address badDebtUSD debtUSD healthFactor } } }',
  'single-account': '', // filled in with a real borrower below
};

const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))];

/** A POST on a fresh connection: a kept-alive socket the server closes as the request leaves fails it ("other side closed"). */
const post = (url: string, query: string) => fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', connection: 'close' }, body: JSON.stringify({ query }) });

async function timed(url: string, query: string): Promise<{ ms: number; subgraphRequests: number }> {
  const t = process.hrtime.bigint();
  const res = await post(url, query);
  const body = (await res.json()) as { errors?: unknown[]; extensions?: { subgraphRequests?: number } };
  if (body.errors) throw new Error(`query failed: ${JSON.stringify(body.errors)}`);
  return { ms: Number(process.hrtime.bigint() - t) / 1e6, subgraphRequests: body.extensions?.subgraphRequests ?? -1 };
}

const ACCOUNT_DATA_ABI = parseAbi([
  'function getUserAccountData(address user) view returns (uint256 totalCollateralBase, uint256 totalDebtBase, uint256 availableBorrowsBase, uint256 currentLiquidationThreshold, uint256 ltv, uint256 healthFactor)',
]);
const POOL_ABI = parseAbi(['function supply(address asset, uint256 amount, address onBehalfOf, uint16 referralCode)']);
const ERC20_ABI = parseAbi(['function balanceOf(address) view returns (uint256)']);
const PROTOCOL_LEVEL = QUERIES['protocol-level'];

/**
 * Risk DAO's way (bad-debt scripts): getUserAccountData for every account at the block, batched in
 * multicalls; bad debt = debt - collateral where debt exceeds collateral.
 */
async function rpcScan(rpcUrl: string, pool: Address, users: Address[], block: bigint) {
  const client = createPublicClient({ transport: http(rpcUrl, { timeout: 120_000 }) });
  const t = process.hrtime.bigint();
  const results = await client.multicall({
    contracts: users.map((u) => ({ address: pool, abi: ACCOUNT_DATA_ABI, functionName: 'getUserAccountData', args: [u] }) as const),
    blockNumber: block,
    allowFailure: false,
    deployless: true,
    // Deployless: the calls travel in the initcode (EIP-3860: at most 49,152 bytes) and the results
    // come back as the code it "deploys" (EIP-170: at most 24,576 bytes; anvil: CreateContractSizeLimit).
    // viem counts only each call's 36 calldata bytes; a getUserAccountData result takes ~320 bytes in
    // aggregate3's answer, so 2,000 counted bytes are ~55 calls, ~18 KB of results.
    batchSize: 2_000,
  });
  const ms = Number(process.hrtime.bigint() - t) / 1e6;
  let badDebt = 0n;
  for (const [collateral, debt] of results) if (debt > collateral) badDebt += debt - collateral;
  return { ms, users: users.length, badDebtBase: badDebt };
}

/** One block in which `count` suppliers each supply a little more: a head update that changes that many positions. */
async function blockChangingPositions(rpcUrl: string, pool: Address, assets: Address[], suppliers: Address[], count: number): Promise<bigint> {
  const test = createTestClient({ mode: 'anvil', transport: http(rpcUrl) });
  const chain = createPublicClient({ transport: http(rpcUrl) });
  await test.setAutomine(false);
  const hashes: `0x${string}`[] = [];
  try {
    for (const user of suppliers) {
      if (hashes.length >= count) break;
      for (const asset of assets) {
        const wallet = await chain.readContract({ address: asset, abi: ERC20_ABI, functionName: 'balanceOf', args: [user] });
        if (wallet < 1000n) continue;
        await test.impersonateAccount({ address: user });
        await test.setBalance({ address: user, value: 10n ** 20n });
        const signer = createWalletClient({ account: user, transport: http(rpcUrl) });
        hashes.push(await signer.sendTransaction({ to: pool, data: encodeFunctionData({ abi: POOL_ABI, functionName: 'supply', args: [asset, wallet / 100n, user, 0] }), gas: 600_000n, chain: null }));
        break;
      }
    }
    await test.mine({ blocks: 1 });
  } finally {
    await test.setAutomine(true);
  }
  const receipts = await Promise.all(hashes.map((hash) => chain.waitForTransactionReceipt({ hash })));
  if (receipts.some((r) => r.status !== 'success')) throw new Error('a supply of the head-update block reverted');
  return receipts[0].blockNumber;
}

async function waitIndexed(subgraphUrl: string, block: bigint) {
  for (const deadline = Date.now() + 120_000; Date.now() < deadline; await new Promise((r) => setTimeout(r, 100))) {
    const res = await fetch(subgraphUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: '{ _meta { block { number } } }' }) });
    const { data } = (await res.json()) as { data?: { _meta: { block: { number: number } } } };
    if (data && BigInt(data._meta.block.number) >= block) return;
  }
  throw new Error(`the subgraph did not index block ${block}`);
}

const summary = (xs: number[]) => ({ p50: +pct(xs, 50).toFixed(1), p95: +pct(xs, 95).toFixed(1) });

/** `--stack-state FILE`: measure the stack `npm start` wrote FILE for instead of starting one. */
function stackFlag(argv: string[]): { stateFile?: string; rest: string[] } {
  const at = argv.findIndex((a) => a === '--stack-state' || a.startsWith('--stack-state='));
  if (at < 0) return { rest: argv };
  const stateFile = argv[at].includes('=') ? argv[at].slice('--stack-state='.length) : argv[at + 1];
  if (!stateFile) throw new Error('--stack-state needs a file');
  return { stateFile, rest: argv.filter((_, i) => i !== at && (argv[at].includes('=') || i !== at + 1)) };
}

async function main() {
  const { stateFile, rest } = stackFlag(process.argv.slice(2));
  if (stateFile && rest.length) throw new Error(`with --stack-state the stack's own flags do not apply: ${rest.join(' ')}`);
  const { stack, accounts, stop } = stateFile ? attachBenchStack(stateFile) : await startBenchStack('bench-gateway', { argv: rest });
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
      // Warm: one gateway of this code (not the stack's own, which may be older), asked again and again.
      const warm: number[] = [];
      let warmRequests = 0;
      const warmGateway = await createGateway({ endpoints, rpcUrl: stack.rpcUrl }).listen(await freePort());
      try {
        for (let i = 0; i < 31; i++) {
          const r = await timed(warmGateway.url, query);
          warm.push(r.ms);
          warmRequests = r.subgraphRequests;
        }
      } finally {
        await warmGateway.stop();
      }
      results[name] = {
        coldMs: { p50: +pct(cold, 50).toFixed(1), p95: +pct(cold, 95).toFixed(1) },
        warmMs: { p50: +pct(warm.slice(1), 50).toFixed(1), p95: +pct(warm.slice(1), 95).toFixed(1) },
        subgraphRequests: { cold: coldRequests, warm: warmRequests },
      };
    }
    // Head updates: one Aave V3.0 subgraph behind a gateway that follows on request (no background
    // loop, so the measured query is the one that moves the view), in its own process for its RSS.
    const aave = stack.devnet['aave-v3'];
    const d = aave.deployment as unknown as { pool: Address; reserves: { underlying: Address }[] };
    const aaveUrl = stack.subgraphs['aave-v3'];
    const port = await freePort();
    const child = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts', '--subgraph', `aave-v3=${aaveUrl}`, '--rpc', stack.rpcUrl, '--port', String(port), '--follow-interval-ms', '0'], { stdio: ['ignore', 'pipe', 'inherit'] });
    try {
      const url = await new Promise<string>((resolve, reject) => {
        child.stdout!.on('data', (b: Buffer) => /gateway: (http\S+)/.exec(b.toString()) && resolve(/gateway: (http\S+)/.exec(b.toString())![1]));
        child.once('exit', (code) => reject(new Error(`the gateway exited (${code})`)));
      });
      const coldFollowing = await timed(url, PROTOCOL_LEVEL);
      const head: number[] = [];
      let headRequests = 0;
      const scans: Awaited<ReturnType<typeof rpcScan>>[] = [];
      const changed = 40; // "a few dozen positions" per block
      for (let i = 0; i < 5; i++) {
        const block = await blockChangingPositions(stack.rpcUrl, d.pool, d.reserves.map((r) => r.underlying), aave.scenario.accounts.slice(i * changed * 2), changed);
        await waitIndexed(aaveUrl, block);
        const r = await timed(url, PROTOCOL_LEVEL);
        head.push(r.ms);
        headRequests = r.subgraphRequests;
        scans.push(await rpcScan(stack.rpcUrl, d.pool, aave.scenario.accounts, block));
      }
      const warm: number[] = [];
      for (let i = 0; i < 20; i++) warm.push((await timed(url, PROTOCOL_LEVEL)).ms);
      const status = (await (await post(url, '{ gatewayStatus { rssBytes heapUsedBytes followedPositions followedViews { accounts positions updates } } }')).json()) as {
        data: { gatewayStatus: { rssBytes: string; heapUsedBytes: string; followedPositions: number; followedViews: unknown[] } };
      };
      const scanMs = scans.map((s) => s.ms);
      results['head-following (aave-v3 only, one gateway process)'] = {
        coldMs: +coldFollowing.ms.toFixed(1),
        coldSubgraphRequests: coldFollowing.subgraphRequests,
        headUpdateMs: summary(head),
        headUpdateSubgraphRequests: headRequests,
        positionsChangedPerBlock: changed,
        warmMs: summary(warm),
        gatewayRssMiB: +(Number(status.data.gatewayStatus.rssBytes) / 2 ** 20).toFixed(0),
        heapUsedMiB: +(Number(status.data.gatewayStatus.heapUsedBytes) / 2 ** 20).toFixed(0),
        followed: status.data.gatewayStatus.followedViews,
        rpcScan: { method: 'getUserAccountData for every account, deployless multicall batches of ~55 calls sent side by side (Risk DAO batches its calls too)', users: scans[0].users, ms: summary(scanMs), badDebtBase: scans[scans.length - 1].badDebtBase.toString() },
        speedupVsRpcScanAtHead: +(pct(scanMs, 50) / pct(head, 50)).toFixed(1),
      };
    } finally {
      child.kill('SIGTERM');
    }
    console.log(JSON.stringify({ accounts, machine: `${os.cpus().length} cores, node ${process.version}`, loadAverage: os.loadavg().map((l) => +l.toFixed(2)), results }, null, 2));
  } finally {
    await stop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
