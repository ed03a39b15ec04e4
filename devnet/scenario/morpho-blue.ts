// Drives many accounts through real Morpho Blue markets: supply (by assets and by shares),
// supplyCollateral, borrow, repay (by assets and by shares), withdraw (by assets and by shares),
// withdrawCollateral, interest accrual (time warps + accrueInterest), fee changes, a price move, a
// crash, liquidations with and without bad debt, and positions closed afterwards.
//
// Prices move as on mainnet: a new round (AnswerUpdated) on the aggregator behind each token's
// Chainlink proxy; the markets' oracles read those proxies. Tokens shared with the Aave v3.0
// devnet share its feeds, so the run starts by putting them back to the initial prices (the Aave
// scenario before it crashed them) and its moves reach Aave's oracle too.
//
// Speed as in the Aave scenario: automine is off; each phase signs all its txs locally, sends them
// in JSON-RPC batches and mines until the pool is empty (TxSender). Txs of one phase never depend
// on another account's tx of the same phase, so their order inside a block does not matter.
import { parseAbi, maxUint256, type Address, type Hex, type PrivateKeyAccount } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { ANVIL_DEPLOYER_KEY, deriveAccount, fundAccounts, type DevnetClients } from '../chain/anvil';
import { TxSender } from '../chain/txs';
import { feedProxyAbi, updateAnswer } from '../chainlink/feeds';
import { erc20MockAbi, morphoBlueAbi } from '../morpho-blue/abis';
import { marketParamsOf, type MorphoDeployment } from '../morpho-blue/deploy';
import { MARKETS, TOKENS, token } from '../morpho-blue/market-config';
import { toAssetsDown } from '../morpho-blue/math';
import type { Checkpoint } from './aave-v3';
import { planMorphoScenario, type MorphoAccountPlan } from './morpho-plan';
import { readMarkets, runMorphoLiquidations } from './morpho-liquidate';

export type { Checkpoint };

export interface MorphoScenarioOptions {
  clients: DevnetClients;
  deployment: MorphoDeployment;
  seed: string | number;
  accounts?: number;
  log?: (msg: string) => void;
  /** Morpho's owner (setFee) and the feeds' operator; defaults to anvil account 0, the default deployer */
  ownerKey?: Hex;
}

export interface MorphoScenarioResult {
  seed: string;
  /** every account that touched Morpho: scenario accounts, then liquidators (the owner and the fee recipient are in the deployment) */
  accounts: Address[];
  liquidators: Address[];
  checkpoints: Checkpoint[];
  counts: Record<string, number>;
  /** liquidations that took all collateral and realized bad debt */
  badDebtLiquidations: number;
  liquidatedAccounts: Address[];
  txs: number;
}

// Gas limits per action, ~2-3x the gas used, so no eth_estimateGas is needed.
const GAS = { token: 150_000n, morpho: 400_000n, admin: 300_000n } as const;
const DAY = 86_400;
/** Seconds between blocks mined during the scenario, like mainnet. */
const BLOCK_INTERVAL = 12;
const ETH_PER_ACCOUNT = 10_000n * 10n ** 18n;
/** Fee changes during the run (WAD fractions; Morpho caps fees at ConstantsLib.MAX_FEE = 25%). */
const RUN_FEES: [label: string, fee: bigint][] = [['WETH/USDC', 15n * 10n ** 16n], ['WBTC/USDC', 5n * 10n ** 16n]];
/** Loan-token balance each liquidator gets (human units): far more than any scenario repays. */
const LIQUIDATOR_HUMAN = 10n ** 12n;

export async function runMorphoScenario(opts: MorphoScenarioOptions): Promise<MorphoScenarioResult> {
  const { clients, deployment: d } = opts;
  const seed = String(opts.seed);
  const log = opts.log ?? (() => {});
  const plan = planMorphoScenario(seed, opts.accounts ?? 50);
  // Keys in their own namespace, so an Aave scenario with the same seed on the same chain uses other accounts.
  const accounts = plan.accounts.map((p) => deriveAccount(`morpho-blue/${seed}`, p.index));
  const liquidators = Array.from({ length: plan.liquidators }, (_, k) => deriveAccount(`morpho-blue/${seed}`, 1_000_000 + k));
  const owner = privateKeyToAccount(opts.ownerKey ?? ANVIL_DEPLOYER_KEY);
  const counts: Record<string, number> = {};
  const count = (k: string) => (counts[k] = (counts[k] ?? 0) + 1);
  const checkpoints: Checkpoint[] = [];
  const { publicClient, testClient } = clients;
  if (d.markets.length !== MARKETS.length || d.markets.some((m, i) => m.label !== MARKETS[i].label)) {
    throw new Error('runMorphoScenario: the deployment does not hold the markets of morpho-blue/market-config.ts');
  }
  const tokenAddress = (symbol: string) => d.tokens.find((t) => t.symbol === symbol)!.address;
  const params = (mi: number) => marketParamsOf(d.markets[mi]);

  const wasAutomine = await testClient.getAutomine();
  await testClient.setAutomine(false);
  const tx = new TxSender(clients, true);
  tx.blockInterval = BLOCK_INTERVAL;
  const t0 = Date.now();
  try {
    await fundAccounts(clients, [...accounts, ...liquidators].map((a) => a.address), ETH_PER_ACCOUNT);
    await tx.prime([...accounts, ...liquidators, owner]);

    const morpho = (who: PrivateKeyAccount, what: string, functionName: string, args: readonly unknown[], gas: bigint = GAS.morpho) => {
      count(what);
      return tx.write(who, { address: d.morpho, abi: morphoBlueAbi, functionName, args, gas } as never, `${what} by ${who.address.slice(0, 10)}`);
    };
    const erc20 = (who: PrivateKeyAccount, what: string, symbol: string, functionName: string, args: readonly unknown[]) => {
      count(what);
      return tx.write(who, { address: tokenAddress(symbol), abi: erc20MockAbi, functionName, args, gas: GAS.token } as never, `${what} ${symbol}`);
    };
    // Both funding functions take (address account, uint256 amount); which one depends on the token.
    const fund = (who: PrivateKeyAccount, symbol: string, amount: bigint) => {
      const fn = d.tokens.find((t) => t.symbol === symbol)!.fund;
      count(fn);
      return tx.write(who, { address: tokenAddress(symbol), abi: parseAbi([`function ${fn}(address account, uint256 amount)`]), functionName: fn, args: [who.address, amount], gas: GAS.token } as never, `${fn} ${symbol}`);
    };
    const phase = async (name: string, body: () => Promise<unknown>[]) => {
      const started = Date.now();
      const before = tx.sent;
      await Promise.all(body());
      const receipts = await tx.settle();
      const nums = receipts.map((r) => Number(r.blockNumber));
      const blocks = nums.length ? `blocks ${Math.min(...nums)}..${Math.max(...nums)}` : 'no txs';
      log(`${name}: ${tx.sent - before} txs, ${blocks}, ${Date.now() - started} ms`);
    };
    const checkpoint = async (name: Checkpoint['name']) => {
      const b = await publicClient.getBlock({ blockTag: 'latest' });
      checkpoints.push({ name, block: Number(b.number), timestamp: Number(b.timestamp) });
      log(`checkpoint ${name} at block ${b.number}`);
    };
    const each = (f: (p: MorphoAccountPlan, a: PrivateKeyAccount) => Promise<unknown>[]) => plan.accounts.flatMap((p, i) => f(p, accounts[i]));
    const position = (mi: number, who: Address) =>
      publicClient.readContract({ address: d.morpho, abi: morphoBlueAbi, functionName: 'position', args: [d.markets[mi].id, who] });
    const accrueAll = (what: string) => d.markets.map((_, mi) => morpho(owner, what, 'accrueInterest', [params(mi)], GAS.admin));

    // --- setup: feeds at the initial prices, balances, approvals, supply, collateral, borrows ----
    await movePrices('reset prices', {});
    await phase('balances+approve', () => [
      ...each((p, a) => Object.entries(p.balances).flatMap(([symbol, amount]) => [
        fund(a, symbol, amount),
        erc20(a, 'approve', symbol, 'approve', [d.morpho, maxUint256]),
      ])),
      ...liquidators.flatMap((a) => [...new Set(MARKETS.map((m) => m.loan))].flatMap((symbol) => [
        fund(a, symbol, LIQUIDATOR_HUMAN * 10n ** BigInt(token(symbol).decimals)),
        erc20(a, 'approve', symbol, 'approve', [d.morpho, maxUint256]),
      ])),
    ]);
    await phase('supply+collateral', () => each((p, a) => [
      ...p.supplies.map((s) => morpho(a, 'supply', 'supply', [params(s.market), s.assets, 0n, a.address, '0x'])),
      ...(p.collateral ? [morpho(a, 'supplyCollateral', 'supplyCollateral', [params(p.collateral.market), p.collateral.assets, a.address, '0x'])] : []),
    ]));
    await phase('borrow', () => each((p, a) => p.borrow
      ? [morpho(a, 'borrow', 'borrow', [params(p.borrow.market), p.borrow.assets, 0n, a.address, a.address])]
      : []));
    await checkpoint('setup');

    // --- interest accrues; the owner changes fees; everyday activity ------------------------------
    await tx.warp(plan.interestDays[0] * DAY);
    await phase('accrue interest', () => [
      ...accrueAll('accrueInterest'),
      // setFee accrues interest with the old fee first (Morpho.setFee).
      ...RUN_FEES.map(([label, fee]) => morpho(owner, 'setFee', 'setFee', [params(d.markets.findIndex((m) => m.label === label)), fee], GAS.admin)),
    ]);
    await checkpoint('after-interest');
    // Share amounts change only through each account's own txs, so reading them first is exact.
    const shares = await Promise.all(plan.accounts.map((p, i) => {
      const mi = p.borrow?.market ?? p.withdraw?.market;
      return mi === undefined ? undefined : position(mi, accounts[i].address);
    }));
    const markets = await readMarkets(clients, d);
    await phase('activity', () => each((p, a) => {
      const out: Promise<unknown>[] = [];
      const pos = shares[p.index];
      if (p.withdraw && pos) {
        const mi = p.withdraw.market;
        const assets = p.supplies.find((s) => s.market === mi)!.assets / 10n;
        out.push(p.withdraw.by === 'assets'
          ? morpho(a, 'withdraw', 'withdraw', [params(mi), assets, 0n, a.address, a.address])
          : morpho(a, 'withdrawByShares', 'withdraw', [params(mi), 0n, pos[0] / 10n, a.address, a.address]));
      }
      if (p.supplyByShares) {
        // shares worth ~assets at the current share price (toSharesDown), rounded by Morpho on supply
        const m = markets[p.supplyByShares.market];
        const sh = (p.supplyByShares.assets * (m.totalSupplyShares + 10n ** 6n)) / (m.totalSupplyAssets + 1n);
        out.push(morpho(a, 'supplyByShares', 'supply', [params(p.supplyByShares.market), 0n, sh, a.address, '0x']));
      }
      if (p.repay && p.borrow && pos) {
        const mi = p.borrow.market;
        out.push(p.repay.by === 'assets'
          ? morpho(a, 'repay', 'repay', [params(mi), p.borrow.assets / 4n, 0n, a.address, '0x'])
          : morpho(a, 'repayByShares', 'repay', [params(mi), 0n, pos[1] / 3n, a.address, '0x']));
      }
      if (p.withdrawCollateral && p.collateral) {
        out.push(morpho(a, 'withdrawCollateral', 'withdrawCollateral', [params(p.collateral.market), p.collateral.assets / 10n, a.address, a.address]));
      }
      return out;
    }));
    await movePrices('price move', plan.preMove);
    await tx.warp(plan.interestDays[1] * DAY);
    await phase('accrue interest', () => accrueAll('accrueInterest'));
    await checkpoint('before-crash');

    // --- crash --------------------------------------------------------------------------------------
    await movePrices('crash', plan.crash);
    await checkpoint('after-crash');

    // --- liquidations ---------------------------------------------------------------------------
    const borrowers = plan.accounts.flatMap((p, i) => (p.borrow ? [{ address: accounts[i].address, market: p.borrow.market }] : []));
    const liq = await runMorphoLiquidations({ clients, deployment: d, tx, seed, borrowers, liquidators, count, log });
    await checkpoint('after-liquidations');

    // --- aftermath: healthy borrowers close their positions, a lender leaves a market --------------
    await tx.warp(7 * DAY);
    const closing = await Promise.all(plan.accounts.map((p, i) => {
      const mi = p.closeAtEnd && p.borrow ? p.borrow.market : p.exitMarket;
      return mi === undefined ? undefined : position(mi, accounts[i].address);
    }));
    const before = await readMarkets(clients, d);
    await phase('close positions', () => each((p, a) => {
      const pos = closing[p.index];
      if (!pos) return [];
      if (p.borrow) {
        const mi = p.borrow.market;
        return [
          ...(pos[1] > 0n ? [morpho(a, 'repayByShares', 'repay', [params(mi), 0n, pos[1], a.address, '0x'])] : []),
          ...(pos[2] > 0n ? [morpho(a, 'withdrawCollateral', 'withdrawCollateral', [params(mi), pos[2], a.address, a.address])] : []),
        ];
      }
      const mi = p.exitMarket!;
      const m = before[mi];
      // Withdraw reverts with "insufficient liquidity" if borrows would exceed supply: check first.
      const assets = toAssetsDown(pos[0], m.totalSupplyAssets, m.totalSupplyShares);
      if (pos[0] === 0n || m.totalSupplyAssets - assets < (m.totalBorrowAssets * 11n) / 10n) return [];
      return [morpho(a, 'withdrawByShares', 'withdraw', [params(mi), 0n, pos[0], a.address, a.address])];
    }));
    await checkpoint('end');

    log(`max gas used: ${[...tx.maxGasUsed].map(([k, g]) => `${k} ${g}`).join(', ')}`);
    log(`Morpho scenario ${seed}: ${plan.accounts.length} accounts, ${tx.sent} txs, ${liq.badDebtLiquidations} bad-debt liquidations, ${Date.now() - t0} ms`);
    return {
      seed,
      accounts: [...accounts, ...liquidators].map((a) => a.address),
      liquidators: liquidators.map((a) => a.address),
      checkpoints,
      counts,
      badDebtLiquidations: liq.badDebtLiquidations,
      liquidatedAccounts: liq.liquidated,
      txs: tx.sent,
    };

    /**
     * Each token's feed to its initial USD price x factor (1 if absent): a new round on the aggregator
     * currently behind its proxy, only where the answer changes. Sequential: same txs on every run.
     */
    async function movePrices(name: string, factors: Record<string, number>) {
      await phase(name, () => [(async () => {
        for (const t of TOKENS) {
          const proxy = d.tokens.find((x) => x.symbol === t.symbol)!.feed.proxy;
          const answer = (t.usd * BigInt(Math.round((factors[t.symbol] ?? 1) * 1e6))) / 1_000_000n;
          if ((await publicClient.readContract({ address: proxy, abi: feedProxyAbi, functionName: 'latestAnswer' })) === answer) continue;
          count('priceUpdate');
          await updateAnswer(tx, owner, proxy, answer, t.symbol);
        }
      })()]);
    }
  } finally {
    await testClient.setAutomine(wasAutomine).catch(() => {});
  }
}
