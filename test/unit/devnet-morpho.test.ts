// Deploys Morpho Blue (compiled from @morpho-org/morpho-blue@1.0.0 with solc 0.8.19) on a real anvil,
// runs a small seeded scenario and checks the chain itself (not the scenario's own bookkeeping).
import fs from 'node:fs';
import { useDevnet } from '../support/devnet-fixture';
import { parseEventLogs, type Address } from 'viem';
import type { DevnetClients } from '../../devnet/chain/anvil';
import { erc20MockAbi, morphoBlueAbi } from '../../devnet/morpho-blue/abis';
import { compileMorphoBlue, compileMorphoBlueBuild } from '../../devnet/morpho-blue/compile';
import { deployMorphoBlue, marketParamsOf, type MorphoDeployment } from '../../devnet/morpho-blue/deploy';
import { renderMorphoAbis } from '../../devnet/morpho-blue/export-abis';
import { health } from '../../devnet/morpho-blue/math';
import { artifactOf } from '../../devnet/solc/compile';
import { runMorphoScenario, type MorphoScenarioResult } from '../../devnet/scenario/morpho-blue';
import { planMorphoScenario } from '../../devnet/scenario/morpho-plan';
import { readMarkets, readPrices } from '../../devnet/scenario/morpho-liquidate';
import { deployAaveV3 } from '../../devnet/aave-v3/deploy';
import { aaveOracleAbi } from '../../devnet/aave-v3/contracts';
import { feedProxyAbi } from '../../devnet/chainlink/feeds';
import { TOKENS } from '../../devnet/morpho-blue/market-config';
import { sharedWithMorpho } from '../../devnet/protocols';
import { devnetClients, freePort, startAnvil } from '../../devnet/chain/anvil';

jest.setTimeout(180_000);

const devnet = useDevnet(async (clients) => {
  const d = await deployMorphoBlue(clients);
  return { deployment: d, result: await runMorphoScenario({ clients, deployment: d, seed: 'jest-morpho-1', accounts: 12 }) };
});
const { block } = devnet;
let clients: DevnetClients;
let d: MorphoDeployment;
let result: MorphoScenarioResult;
beforeAll(() => ({ clients, deployment: d, result } = devnet.state));

const logsBetween = async (fromBlock: bigint, toBlock: bigint) =>
  parseEventLogs({ abi: morphoBlueAbi, logs: await clients.publicClient.getLogs({ address: d.morpho, fromBlock, toBlock }) });
const market = (label: string) => d.markets.find((m) => m.label === label)!;

describe('compile', () => {
  test('solc 0.8.19 leaves EventsLib events out of Morpho; the merged ABI has all 17', async () => {
    const raw = artifactOf(await compileMorphoBlueBuild(), 'Morpho').abi;
    expect(raw.filter((x) => x.type === 'event')).toHaveLength(0);
    const a = await compileMorphoBlue();
    expect(a.compiler).toBe('0.8.19');
    const events = a.morpho.abi.filter((x) => x.type === 'event').map((x) => (x as { name: string }).name);
    expect(events).toHaveLength(17);
    expect(events).toEqual(expect.arrayContaining(['Liquidate', 'AccrueInterest', 'CreateMarket', 'SetFee', 'Supply', 'Repay']));
  });

  test('abis/MorphoBlue.json, abis/MorphoOracle.json and devnet/morpho-blue/abis.ts are current', async () => {
    for (const [file, text] of Object.entries(await renderMorphoAbis())) {
      expect({ file, text: fs.readFileSync(file, 'utf8') }).toEqual({ file, text });
    }
  });
});

test('the plan is a pure function of the seed', () => {
  expect(planMorphoScenario('a', 30)).toEqual(planMorphoScenario('a', 30));
  expect(planMorphoScenario('a', 30)).not.toEqual(planMorphoScenario('b', 30));
});

test('the markets exist with their params, tokens carry different decimals', async () => {
  expect(d.markets.length).toBeGreaterThanOrEqual(3);
  for (const m of d.markets) {
    const [loanToken, collateralToken, oracle, irm, lltv] = await clients.publicClient.readContract({
      address: d.morpho, abi: morphoBlueAbi, functionName: 'idToMarketParams', args: [m.id],
    });
    expect({ loanToken, collateralToken, oracle, irm, lltv }).toEqual(marketParamsOf(m));
    const decimals = await Promise.all([m.loanToken, m.collateralToken].map((address) =>
      clients.publicClient.readContract({ address, abi: erc20MockAbi, functionName: 'decimals' })));
    expect(decimals).toEqual([m.loanDecimals, m.collateralDecimals]);
  }
  expect(new Set(d.tokens.map((t) => t.decimals))).toEqual(new Set([6, 8, 18]));
  // Standalone: every feed is Morpho's own, so no token is priced by Aave.
  expect(d.tokens.every((t) => !t.pricedByAave)).toBe(true);
  expect(market('WETH/sUSDX')).toMatchObject({ collateralSymbol: 'WETH', loanSymbol: 'sUSDX', loanDecimals: 18 });
  expect(new Set(d.markets.map((m) => m.lltv)).size).toBeGreaterThanOrEqual(3);
  const created = (await logsBetween(BigInt(d.startBlock), block('setup'))).filter((l) => l.eventName === 'CreateMarket');
  expect(created.map((l) => l.args.id)).toEqual(d.markets.map((m) => m.id));
});

test('checkpoints come in order and every account is reported', () => {
  expect(result.checkpoints.map((c) => c.name)).toEqual(['setup', 'after-interest', 'before-crash', 'after-crash', 'after-liquidations', 'end']);
  const blocks = result.checkpoints.map((c) => c.block);
  expect([...blocks].sort((a, b) => a - b)).toEqual(blocks);
  expect(result.accounts).toHaveLength(12 + result.liquidators.length);
  expect(result.accounts).toEqual(expect.arrayContaining(result.liquidators));
});

test('every oracle price is SCALE_FACTOR x base feed / quote feed, read from the chain at each checkpoint', async () => {
  for (const c of result.checkpoints) {
    const b = BigInt(c.block);
    const prices = await readPrices(clients, d, b);
    for (const [mi, m] of d.markets.entries()) {
      const [base, quote] = await Promise.all([m.feeds.base, m.feeds.quote].map((address) =>
        clients.publicClient.readContract({ address, abi: feedProxyAbi, functionName: 'latestAnswer', blockNumber: b })));
      expect({ at: c.name, market: m.label, price: prices[mi] }).toEqual({ at: c.name, market: m.label, price: (BigInt(m.scaleFactor) * BigInt(base)) / BigInt(quote) });
      expect(m.feeds).toEqual({ base: d.tokens.find((t) => t.symbol === m.collateralSymbol)!.feed.proxy, quote: d.tokens.find((t) => t.symbol === m.loanSymbol)!.feed.proxy });
    }
    if (c.name === 'setup') expect(prices).toEqual(d.markets.map((m) => BigInt(m.initialPrice)));
  }
});

test('the WETH/sUSDX market has suppliers and borrowers', async () => {
  const mi = d.markets.findIndex((m) => m.label === 'WETH/sUSDX');
  const m = (await readMarkets(clients, d, block('before-crash')))[mi];
  expect(m.totalSupplyAssets).toBeGreaterThan(0n);
  expect(m.totalBorrowAssets).toBeGreaterThan(0n);
});

describe('on the Aave v3.0 devnet tokens', () => {
  test('Morpho oracles read the Aave proxies; USD prices equal Aave initial prices; sUSDX is priced by Morpho alone', async () => {
    const anvil = await startAnvil({ port: await freePort() });
    try {
      const c = devnetClients(anvil.rpcUrl);
      const aave = await deployAaveV3(c);
      const m = await deployMorphoBlue(c, { existingTokens: sharedWithMorpho(aave) });
      for (const t of m.tokens) {
        const r = aave.reserves.find((x) => x.symbol === t.symbol);
        expect({ symbol: t.symbol, pricedByAave: t.pricedByAave }).toEqual({ symbol: t.symbol, pricedByAave: r !== undefined });
        const answer = await c.publicClient.readContract({ address: t.feed.proxy, abi: feedProxyAbi, functionName: 'latestAnswer' });
        expect(answer).toBe(TOKENS.find((x) => x.symbol === t.symbol)!.usd);
        if (!r) continue;
        expect(t.feed.proxy).toBe(r.aggregator);
        expect(await c.publicClient.readContract({ address: aave.aaveOracle, abi: aaveOracleAbi, functionName: 'getAssetPrice', args: [t.address] })).toBe(answer);
      }
      expect(m.tokens.find((t) => t.symbol === 'sUSDX')!.pricedByAave).toBe(false);
      const prices = await readPrices(c, m);
      expect(prices).toEqual(m.markets.map((x) => BigInt(x.initialPrice)));
    } finally {
      await anvil.stop();
    }
  });
});

/** Every borrower (an account with borrow shares at before-crash) and its market. */
async function borrowersAt(blockNumber: bigint) {
  const out: { user: Address; mi: number; borrowShares: bigint; collateral: bigint }[] = [];
  for (const user of result.accounts) {
    for (const [mi, m] of d.markets.entries()) {
      const [, borrowShares, collateral] = await clients.publicClient.readContract({
        address: d.morpho, abi: morphoBlueAbi, functionName: 'position', args: [m.id, user], blockNumber,
      });
      if (borrowShares > 0n) out.push({ user, mi, borrowShares, collateral });
    }
  }
  return out;
}

test('all positions are healthy before the crash; some are not after it (Morpho._isHealthy)', async () => {
  const check = async (name: string) => {
    const b = block(name);
    const [markets, prices, positions] = await Promise.all([readMarkets(clients, d, b), readPrices(clients, d, b), borrowersAt(b)]);
    // borrowed (rounded up) > collateral * price / 1e36 * lltv / 1e18 (rounded down) means unhealthy
    return positions.map((p) => health(markets[p.mi], p.borrowShares, p.collateral, prices[p.mi], BigInt(d.markets[p.mi].lltv)).healthy);
  };
  const before = await check('before-crash');
  expect(before.length).toBeGreaterThan(3);
  expect(before.every(Boolean)).toBe(true);
  const after = await check('after-crash');
  expect(after.filter((h) => !h).length).toBeGreaterThanOrEqual(3);
});

test('liquidations with and without bad debt; bad debt empties the position', async () => {
  const logs = (await logsBetween(block('after-crash') + 1n, block('after-liquidations'))).filter((l) => l.eventName === 'Liquidate');
  const bad = logs.filter((l) => l.args.badDebtAssets > 0n);
  expect(bad.length).toBeGreaterThanOrEqual(1);
  expect(bad.length).toBe(result.badDebtLiquidations);
  expect(logs.some((l) => l.args.badDebtAssets === 0n && l.args.badDebtShares === 0n)).toBe(true);
  for (const l of bad) {
    expect(l.args.badDebtShares).toBeGreaterThan(0n);
    const [, borrowShares, collateral] = await clients.publicClient.readContract({
      address: d.morpho, abi: morphoBlueAbi, functionName: 'position', args: [l.args.id, l.args.borrower], blockNumber: l.blockNumber,
    });
    expect({ borrowShares, collateral }).toEqual({ borrowShares: 0n, collateral: 0n });
  }
  expect(new Set(logs.map((l) => l.args.borrower))).toEqual(new Set(result.liquidatedAccounts));
});

test('during the liquidations totalSupplyAssets moves by exactly interest - bad debt (suppliers take the loss)', async () => {
  const from = block('after-crash'), to = block('after-liquidations');
  const logs = await logsBetween(from + 1n, to);
  expect(logs.filter((l) => l.eventName === 'Supply' || l.eventName === 'Withdraw')).toHaveLength(0);
  const [m0, m1] = await Promise.all([readMarkets(clients, d, from), readMarkets(clients, d, to)]);
  let badDebt = 0n;
  for (const [mi, m] of d.markets.entries()) {
    const sum = (name: string, f: (a: any) => bigint) =>
      logs.filter((l) => l.eventName === name && (l.args as { id: string }).id === m.id).reduce((s, l) => s + f(l.args), 0n);
    const interest = sum('AccrueInterest', (a) => a.interest);
    const lost = sum('Liquidate', (a) => a.badDebtAssets);
    badDebt += lost;
    expect(m1[mi].totalSupplyAssets - m0[mi].totalSupplyAssets).toBe(interest - lost);
    expect(m1[mi].totalBorrowAssets - m0[mi].totalBorrowAssets).toBe(interest - lost - sum('Liquidate', (a) => a.repaidAssets));
    expect(m1[mi].totalBorrowShares - m0[mi].totalBorrowShares).toBe(-sum('Liquidate', (a) => a.repaidShares + a.badDebtShares));
  }
  expect(badDebt).toBeGreaterThan(0n);
});

test('market totals follow from the events alone over the whole run (what an indexer does)', async () => {
  const logs = await logsBetween(BigInt(d.startBlock), block('end'));
  const end = await readMarkets(clients, d, block('end'));
  for (const [mi, m] of d.markets.entries()) {
    const sum = (name: string, f: (a: any) => bigint) =>
      logs.filter((l) => l.eventName === name && (l.args as { id: string }).id === m.id).reduce((s, l) => s + f(l.args), 0n);
    const interest = sum('AccrueInterest', (a) => a.interest);
    const badAssets = sum('Liquidate', (a) => a.badDebtAssets);
    expect(end[mi].totalSupplyAssets).toBe(sum('Supply', (a) => a.assets) - sum('Withdraw', (a) => a.assets) + interest - badAssets);
    // The fee recipient's shares arrive through AccrueInterest.feeShares, with no Supply event.
    expect(end[mi].totalSupplyShares).toBe(sum('Supply', (a) => a.shares) - sum('Withdraw', (a) => a.shares) + sum('AccrueInterest', (a) => a.feeShares));
    expect(end[mi].totalBorrowShares).toBe(
      sum('Borrow', (a) => a.shares) - sum('Repay', (a) => a.shares) - sum('Liquidate', (a) => a.repaidShares + a.badDebtShares));
  }
});

test('setFee emitted SetFee at deployment and during the run', async () => {
  const logs = (await logsBetween(BigInt(d.startBlock), block('end'))).filter((l) => l.eventName === 'SetFee');
  const fees = logs.map((l) => [l.blockNumber <= block('setup') ? 'deploy' : 'run', l.args.id, l.args.newFee]);
  expect(fees).toEqual(expect.arrayContaining([
    ['deploy', market('WETH/USDC').id, 10n ** 17n],
    ['run', market('WETH/USDC').id, 15n * 10n ** 16n],
    ['run', market('WBTC/USDC').id, 5n * 10n ** 16n],
  ]));
  const [, , , , , fee] = await clients.publicClient.readContract({ address: d.morpho, abi: morphoBlueAbi, functionName: 'market', args: [market('WETH/USDC').id] });
  expect(fee).toBe(15n * 10n ** 16n);
  const accrued = (await logsBetween(block('after-interest'), block('end'))).flatMap((l) =>
    l.eventName === 'AccrueInterest' && l.args.id === market('WETH/USDC').id ? [l.args.feeShares] : []);
  expect(accrued.some((feeShares) => feeShares > 0n)).toBe(true);
  const [supplyShares] = await clients.publicClient.readContract({ address: d.morpho, abi: morphoBlueAbi, functionName: 'position', args: [market('WETH/USDC').id, d.feeRecipient] });
  expect(supplyShares).toBeGreaterThan(0n);
});

test('every action of the scenario happened', () => {
  for (const k of ['supply', 'supplyByShares', 'supplyCollateral', 'borrow', 'repay', 'repayByShares', 'withdraw', 'withdrawByShares', 'withdrawCollateral', 'accrueInterest', 'setFee', 'priceUpdate', 'liquidationBadDebt']) {
    expect({ k, n: result.counts[k] ?? 0 }).toEqual({ k, n: expect.any(Number) });
    expect(result.counts[k]).toBeGreaterThan(0);
  }
});
