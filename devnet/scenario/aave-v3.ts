// Drives many accounts through a real Aave V3.0 market: supply, borrow, repay (also with aTokens),
// withdraw, aToken transfers, collateral and e-mode switches, time warps, price moves, a crash,
// partial and full liquidations, bad debt, and flash loans repaid with their premium (flash-loans.ts:
// after the first warp, and again before the end after the premium setting changed).
//
// The same run drives an Aave V3.6 market (deployment.version '3.6', devnet/aave-v36/deploy.ts):
// the calls it makes keep their v3.0 signatures there (supply, borrow with rate mode 2, repay,
// repayWithATokens, withdraw, setUserUseReserveAsCollateral, setUserEMode, liquidationCall), so the
// version adapter is small: v3.6 errors are decoded as custom errors, underwater borrowers owe two
// assets (deficits in two reserves), partial liquidations respect the dust rule (liquidate.ts), and
// after the liquidations the umbrella covers deficits (deficit-coverage.ts).
//
// Speed: automine is switched off for the run; every phase signs all its txs locally with explicit
// nonces, sends them in JSON-RPC batches, then mines blocks until the pool is empty and checks
// every receipt (TxSender). Txs of one phase never depend on another account's tx of the same
// phase, so their order inside a block does not matter.
import { maxUint256, type Address, type PrivateKeyAccount } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { ANVIL_DEPLOYER_KEY, deriveAccount, fundAccounts, type DevnetClients } from '../chain/anvil';
import { TxSender } from '../chain/txs';
import { explainAaveRevert } from '../aave-v3/errors';
import { baseForComposite, FeedDeployer, readRatio, setRatio, switchAggregator, updateAnswer } from '../chainlink/feeds';
import { defaultUmbrellaAccount } from '../aave-v36/deploy';
import { explainAaveV36Revert } from '../aave-v36/errors';
import { coverDeficits, type Coverage } from './deficit-coverage';
import { aTokenAbi, mintableErc20Abi, poolAbi, poolConfiguratorAbi } from '../aave-v3/contracts';
import { FLASH_LOAN_PREMIUM } from '../aave-v3/market-config';
import { poolConfiguratorV36Abi } from '../aave-v36/abis';
import { deployFlashLoanReceivers, flashLoanAmount, GAS_FLASH_LOAN, GAS_FLASH_LOAN_SIMPLE, type FlashLoanReceivers, type FlashLoanRecord } from './flash-loans';
import type { AaveV3Deployment, DeployedReserve } from '../aave-v3/deploy';
import { planScenario, type AccountPlan, type Amount } from './plan';
import { runLiquidations, type Deficit } from './liquidate';

export interface ScenarioOptions {
  clients: DevnetClients;
  deployment: AaveV3Deployment;
  seed: string | number;
  accounts?: number;
  log?: (msg: string) => void;
  /** owner of the price feeds (proxies, ratio providers); defaults to anvil account 0 (the deployer) */
  adminKey?: `0x${string}`;
  /** v3.6: key of the market's UMBRELLA; defaults to the devnet's (defaultUmbrellaAccount) */
  umbrellaKey?: `0x${string}`;
}

export interface Checkpoint {
  name:
    | 'setup' | 'after-interest'
    // after the pre-crash move: WBTC's proxy now reads a new aggregator (no event from the proxy)
    | 'after-silent-switch'
    | 'before-crash' | 'after-crash'
    // after the CAPO ratio drop (no event at all), before the liquidations
    | 'after-ratio-move'
    | 'after-liquidations'
    // v3.6 only, between after-liquidations and end
    | 'after-partial-coverage' | 'after-full-coverage'
    | 'end';
  block: number;
  timestamp: number;
}

export interface ScenarioResult {
  seed: string;
  /** every account that touched the pool: scenario accounts, then liquidators */
  accounts: Address[];
  liquidators: Address[];
  checkpoints: Checkpoint[];
  counts: Record<string, number>;
  /** accounts left with debt and no collateral after the liquidations */
  badDebtAccounts: Address[];
  liquidatedAccounts: Address[];
  /** v3.6: borrowers whose leftover debt a liquidation wrote off (DeficitCreated); [] on v3.0 */
  deficitAccounts: Address[];
  /** v3.6: underlyings of the reserves that got a deficit; [] on v3.0 */
  deficitAssets: Address[];
  /** v3.6: every DeficitCreated of the liquidations */
  deficits: Deficit[];
  /** v3.6: the umbrella's partial and full eliminateReserveDeficit */
  coverage: Coverage[];
  /** every flash loan of the run (all repaid in the same tx: interest rate mode 0) */
  flashLoans: FlashLoanRecord[];
  txs: number;
}

// Gas limits per action: ~1.5-2x the gas used on this market, so no eth_estimateGas is needed.
export const GAS = {
  mint: 120_000n, approve: 80_000n, supply: 400_000n, borrow: 500_000n, repay: 400_000n,
  repayWithATokens: 450_000n, withdraw: 500_000n, transfer: 500_000n, setCollateral: 300_000n,
  setEMode: 300_000n, liquidation: 1_000_000n,
} as const;

/**
 * The reserve whose pre-crash move is a silent aggregator switch (on mainnet Chainlink migrates a
 * feed to a new aggregator behind the same proxy; the proxy logs nothing): a reader that follows
 * AnswerUpdated of the aggregators it saw at listing misses every later WBTC move.
 */
export const SILENT_SWITCH_SYMBOL = 'WBTC';
/** CAPO ratio growth after each 30-day warp: +0.5% (~6% a year, an LST's yield; under the adapter's 10% cap). */
export const RATIO_GROWTH = { num: 1005n, den: 1000n } as const;
/** The slashing-like ratio drop after the crash: -8%, with no event. */
export const RATIO_DROP = { num: 92n, den: 100n } as const;
/** Reserves of the scenario's multi-asset flashLoan, and of its flashLoanSimple. */
export const FLASH_LOAN_ASSETS = ['USDC', 'DAI', 'WETH'] as const;
export const FLASH_LOAN_SIMPLE_ASSET = 'WBTC';

const DAY = 86_400;
/** Seconds between blocks mined during the scenario, like mainnet. */
const BLOCK_INTERVAL = 12;
const ETH_PER_ACCOUNT = 10_000n * 10n ** 18n;

export async function runAaveV3Scenario(opts: ScenarioOptions): Promise<ScenarioResult> {
  const { clients, deployment: d } = opts;
  const seed = String(opts.seed);
  const log = opts.log ?? (() => {});
  const v36 = d.version === '3.6';
  const plan = planScenario(seed, opts.accounts ?? 50, { splitUnderwaterDebt: v36 });
  const accounts = plan.accounts.map((p) => deriveAccount(seed, p.index));
  // Liquidators live far from the account indexes so their keys do not depend on the account count.
  const liquidators = Array.from({ length: plan.liquidators }, (_, k) => deriveAccount(seed, 1_000_000 + k));
  const admin = privateKeyToAccount(opts.adminKey ?? ANVIL_DEPLOYER_KEY);
  const reserve = (symbol: string): DeployedReserve => {
    const r = d.reserves.find((x) => x.symbol === symbol);
    if (!r) throw new Error(`deployment has no reserve ${symbol}`);
    return r;
  };
  const counts: Record<string, number> = {};
  const count = (k: string) => (counts[k] = (counts[k] ?? 0) + 1);
  const checkpoints: Checkpoint[] = [];
  const { publicClient, testClient } = clients;

  const wasAutomine = await testClient.getAutomine();
  await testClient.setAutomine(false);
  const tx = new TxSender(clients, true);
  tx.explainRevert = v36 ? explainAaveV36Revert : explainAaveRevert;
  tx.blockInterval = BLOCK_INTERVAL;
  const t0 = Date.now();
  try {
    await fundAccounts(clients, [...accounts, ...liquidators].map((a) => a.address), ETH_PER_ACCOUNT);
    await tx.prime([...accounts, ...liquidators, admin]);

    const send = (who: PrivateKeyAccount, what: string, address: Address, abi: any, functionName: string, args: readonly unknown[], gas: bigint) => {
      count(what);
      return tx.write(who, { address, abi, functionName, args, gas } as never, `${what} ${functionName}(${args.map(fmt).join(',')})`);
    };
    const pool = (who: PrivateKeyAccount, what: string, fn: string, args: readonly unknown[], gas: bigint) =>
      send(who, what, d.pool, poolAbi, fn, args, gas);
    const asset = (a: Amount) => reserve(a.symbol).underlying;
    const phase = async (name: string, body: () => Promise<unknown>[]) => {
      const started = Date.now();
      const before = tx.sent;
      await Promise.all(body());
      const receipts = await tx.settle();
      const nums = receipts.map((r) => Number(r.blockNumber));
      const blocks = nums.length ? `blocks ${nums.reduce((a, b) => Math.min(a, b))}..${nums.reduce((a, b) => Math.max(a, b))}` : 'no txs';
      log(`${name}: ${tx.sent - before} txs, ${blocks}, ${Date.now() - started} ms`);
    };
    const checkpoint = async (name: Checkpoint['name']) => {
      const b = await publicClient.getBlock({ blockTag: 'latest' });
      checkpoints.push({ name, block: Number(b.number), timestamp: Number(b.timestamp) });
      log(`checkpoint ${name} at block ${b.number}`);
    };
    const warp = (seconds: number) => tx.warp(seconds);
    let feedDeployer: FeedDeployer | undefined;
    const feeds = async () => (feedDeployer ??= await FeedDeployer.create(tx, admin));
    const each = (f: (p: AccountPlan, a: PrivateKeyAccount) => Promise<unknown>[]) =>
      plan.accounts.flatMap((p, i) => f(p, accounts[i]));

    // --- setup: tokens, approvals, e-mode, supplies, borrows --------------------------------
    const liqMint = (symbol: string, human: number) => ({ symbol, amount: BigInt(Math.round(human)) * 10n ** BigInt(reserve(symbol).decimals) });
    const n = plan.accounts.length;
    const liqMints = [liqMint('USDC', 1_000_000 + 60_000 * n), liqMint('DAI', 1_000_000 + 60_000 * n), liqMint('WETH', 1_000 + 10 * n), liqMint('WBTC', 100 + n)];
    await phase('mint+approve', () => [
      ...each((p, a) => p.mints.flatMap((m) => [
        send(a, 'mint', asset(m), mintableErc20Abi, 'mint', [m.amount], GAS.mint),
        send(a, 'approve', asset(m), mintableErc20Abi, 'approve', [d.pool, maxUint256], GAS.approve),
      ])),
      ...liquidators.flatMap((a) => liqMints.flatMap((m) => [
        send(a, 'mint', asset(m), mintableErc20Abi, 'mint', [m.amount], GAS.mint),
        send(a, 'approve', asset(m), mintableErc20Abi, 'approve', [d.pool, maxUint256], GAS.approve),
      ])),
    ]);
    await phase('supply', () => each((p, a) => [
      ...(p.eMode ? [pool(a, 'setUserEMode', 'setUserEMode', [p.eMode], GAS.setEMode)] : []),
      ...p.supplies.map((s) => pool(a, 'supply', 'supply', [asset(s), s.amount, a.address, 0], GAS.supply)),
      // Aave 3.0.2: supplying an isolated asset enables it as collateral only for holders of
      // ISOLATED_COLLATERAL_SUPPLIER_ROLE (ValidationLogic.validateAutomaticUseAsCollateral).
      ...(p.kind === 'isolated' ? [pool(a, 'setCollateral', 'setUserUseReserveAsCollateral', [asset(p.supplies[0]), true], GAS.setCollateral)] : []),
    ]));
    // Interest rate mode 2 = variable (DataTypes.InterestRateMode.VARIABLE); stable is disabled.
    await phase('borrow', () => each((p, a) => p.borrows.map((b) => pool(a, 'borrow', 'borrow', [asset(b), b.amount, 2n, 0, a.address], GAS.borrow))));
    await checkpoint('setup');

    // --- interest accrues, then everyday activity ---------------------------------------------
    await warp(30 * DAY);
    await growRatios();
    await checkpoint('after-interest');
    await phase('activity', () => [
      ...each((p, a) => {
        const out: Promise<unknown>[] = [];
        if (p.repay) out.push(pool(a, 'repay', 'repay', [asset(p.repay), p.repay.amount, 2n, a.address], GAS.repay));
        if (p.repayWithATokens) {
          const r = p.repayWithATokens;
          out.push(pool(a, 'supply', 'supply', [asset(r), r.amount, a.address, 0], GAS.supply));
          out.push(pool(a, 'repayWithATokens', 'repayWithATokens', [asset(r), r.amount / 2n, 2n], GAS.repayWithATokens));
        }
        if (p.withdraw) out.push(pool(a, 'withdraw', 'withdraw', [asset(p.withdraw), p.withdraw.amount, a.address], GAS.withdraw));
        if (p.transfer) {
          const to = accounts[p.transfer.to].address;
          out.push(send(a, 'transfer', reserve(p.transfer.symbol).aToken, aTokenAbi, 'transfer', [to, p.transfer.amount], GAS.transfer));
        }
        if (p.toggleCollateral) {
          const x = reserve(p.toggleCollateral).underlying;
          out.push(pool(a, 'setCollateral', 'setUserUseReserveAsCollateral', [x, false], GAS.setCollateral));
          out.push(pool(a, 'setCollateral', 'setUserUseReserveAsCollateral', [x, true], GAS.setCollateral));
        }
        if (p.eModeSwitch) {
          out.push(pool(a, 'setUserEMode', 'setUserEMode', [0], GAS.setEMode));
          out.push(pool(a, 'setUserEMode', 'setUserEMode', [p.eMode], GAS.setEMode));
        }
        if (p.secondBorrow) out.push(pool(a, 'borrow', 'borrow', [asset(p.secondBorrow), p.secondBorrow.amount, 2n, 0, a.address], GAS.borrow));
        return out;
      }),
    ]);
    // Flash loans after the warp (indexes are not 1e27): the premium's treasury part is booked with
    // no event of its own, at the liquidity index of the ReserveDataUpdated logged just before.
    const flashLoans: FlashLoanRecord[] = [];
    let receivers: FlashLoanReceivers | undefined;
    await phase('flash-loan receivers', () => [(async () => { receivers = await deployFlashLoanReceivers(tx, admin, d); })()]);
    await flashLoanPhase('flash loans');
    await movePrices('price move', plan.preMove, { silentSwitch: SILENT_SWITCH_SYMBOL });
    await checkpoint('after-silent-switch');
    await warp(30 * DAY);
    await growRatios();
    await checkpoint('before-crash');

    // --- crash, then a CAPO ratio drop --------------------------------------------------------------
    // CAPO bases are set so that base x ratio equals the planned crash price only AFTER the drop:
    // liquidations, deficits and the upgrade see the planned prices, as before the feeds were real.
    const dropped = new Map<string, bigint>();
    for (const r of d.reserves) {
      if (r.feed.kind === 'capo') dropped.set(r.symbol, (await readRatio(publicClient, r.feed.ratioProvider)) * RATIO_DROP.num / RATIO_DROP.den);
    }
    await movePrices('crash', plan.crash, { ratios: dropped });
    await checkpoint('after-crash');
    await phase('ratio move', () => [(async () => {
      for (const [symbol, ratio] of dropped) {
        const f = reserve(symbol).feed;
        if (f.kind !== 'capo') continue;
        count('ratioUpdate');
        await setRatio(tx, admin, f.ratioProvider, ratio, symbol);
      }
    })()]);
    await checkpoint('after-ratio-move');

    // --- liquidations ---------------------------------------------------------------------------
    const liq = await runLiquidations({
      clients, deployment: d, tx, seed, liquidators, count, log,
      users: accounts.map((a) => a.address),
    });
    await checkpoint('after-liquidations');

    // --- v3.6: the umbrella covers deficits, partly and in full ------------------------------------
    const umbrella = opts.umbrellaKey ? privateKeyToAccount(opts.umbrellaKey) : defaultUmbrellaAccount();
    const coverage = v36 ? await coverDeficits({ clients, deployment: d, tx, umbrella, count, log, checkpoint }) : [];

    // --- aftermath: some healthy borrowers close their positions ---------------------------------
    await warp(7 * DAY);
    await phase('close positions', () => each((p, a) => {
      if (!p.closeAtEnd) return [];
      const debts = [...new Set(p.borrows.map((b) => b.symbol))];
      const supplied = [...new Set([...p.supplies, ...(p.repayWithATokens ? [p.repayWithATokens] : [])].map((s) => s.symbol))];
      return [
        ...debts.map((s) => pool(a, 'repay', 'repay', [reserve(s).underlying, maxUint256, 2n, a.address], GAS.repay)),
        ...supplied.map((s) => pool(a, 'withdraw', 'withdraw', [reserve(s).underlying, maxUint256, a.address], GAS.withdraw)),
      ];
    }));
    // The premium setting changes (v3.0: the treasury's share, FlashloanPremiumToProtocolUpdated;
    // v3.6: the total, its only setting), then flash loans again.
    await phase('flash-loan premium change', () => [v36
      ? send(admin, 'flashLoanPremiumChange', d.poolConfigurator, poolConfiguratorV36Abi, 'updateFlashloanPremium', [FLASH_LOAN_PREMIUM.laterTotal], 300_000n)
      : send(admin, 'flashLoanPremiumChange', d.poolConfigurator, poolConfiguratorAbi, 'updateFlashloanPremiumToProtocol', [FLASH_LOAN_PREMIUM.laterToProtocol], 300_000n)]);
    await flashLoanPhase('flash loans (new premium)');
    await checkpoint('end');

    log(`max gas used: ${[...tx.maxGasUsed].map(([k, g]) => `${k} ${g}`).join(', ')}`);
    log(`scenario ${seed}: ${n} accounts, ${tx.sent} txs, ${liq.badDebt.length} with bad debt, ${liq.deficits.length} deficits, ${Date.now() - t0} ms`);
    return {
      seed,
      accounts: [...accounts, ...liquidators, ...(coverage.length ? [umbrella] : [])].map((a) => a.address),
      liquidators: liquidators.map((a) => a.address),
      checkpoints,
      counts,
      badDebtAccounts: liq.badDebt,
      liquidatedAccounts: liq.liquidated,
      deficitAccounts: [...new Set(liq.deficits.map((x) => x.user))],
      deficitAssets: [...new Set(liq.deficits.map((x) => x.debtAsset))],
      deficits: liq.deficits,
      coverage,
      flashLoans,
      txs: tx.sent,
    };

    /**
     * A new round on the aggregator currently behind each moved reserve's proxy (AnswerUpdated from
     * the aggregator, as on mainnet), except `silentSwitch`'s: a new aggregator behind its proxy.
     * A CAPO reserve's base feed is set for the planned price at `ratios` (default: the ratio now). Sequential, so the feeds' txs and addresses are the same on every run.
     */
    async function movePrices(name: string, factors: Record<string, number>, how: { silentSwitch?: string; ratios?: Map<string, bigint> } = {}) {
      await phase(name, () => [(async () => {
        for (const [symbol, f] of Object.entries(factors)) {
          if (f === 1) continue;
          const r = reserve(symbol);
          const price = (BigInt(r.initialPrice) * BigInt(Math.round(f * 1e6))) / 1_000_000n;
          count('priceUpdate');
          if (r.feed.kind === 'capo') {
            const ratio = how.ratios?.get(symbol) ?? (await readRatio(publicClient, r.feed.ratioProvider));
            await updateAnswer(tx, admin, r.feed.proxy, baseForComposite(price, ratio), symbol);
          } else if (symbol === how.silentSwitch) {
            count('aggregatorSwitch');
            await switchAggregator(tx, admin, await feeds(), r.feed.proxy, price, symbol);
          } else {
            await updateAnswer(tx, admin, r.feed.proxy, price, symbol);
          }
        }
      })()]);
    }

    /**
     * One flashLoan over FLASH_LOAN_ASSETS and one flashLoanSimple of FLASH_LOAN_SIMPLE_ASSET, all
     * repaid (mode 0), a third of each reserve's cash, initiated by the admin. Sequential.
     */
    async function flashLoanPhase(name: string) {
      if (!receivers) throw new Error('flash-loan receivers not deployed');
      const r = receivers;
      const legs = await Promise.all(FLASH_LOAN_ASSETS.map(async (symbol) => {
        const x = reserve(symbol);
        return { asset: x.underlying, amount: await flashLoanAmount(publicClient, x.underlying, x.aToken) };
      }));
      const multi = legs.filter((l) => l.amount > 0n);
      const simple = reserve(FLASH_LOAN_SIMPLE_ASSET);
      const simpleAmount = await flashLoanAmount(publicClient, simple.underlying, simple.aToken);
      await phase(name, () => [(async () => {
        if (multi.length) {
          const assets = multi.map((l) => l.asset);
          const amounts = multi.map((l) => l.amount);
          const txHash = await pool(admin, 'flashLoan', 'flashLoan', [r.multi, assets, amounts, assets.map(() => 0n), admin.address, '0x', 0], GAS_FLASH_LOAN);
          flashLoans.push({ method: 'flashLoan', txHash, assets, amounts });
        }
        if (simpleAmount > 0n) {
          const txHash = await pool(admin, 'flashLoanSimple', 'flashLoanSimple', [r.simple, simple.underlying, simpleAmount, '0x', 0], GAS_FLASH_LOAN_SIMPLE);
          flashLoans.push({ method: 'flashLoanSimple', txHash, assets: [simple.underlying], amounts: [simpleAmount] });
        }
      })()]);
    }

    /** After a 30-day warp: each CAPO ratio grows by RATIO_GROWTH, silently (the ratio provider emits nothing). */
    async function growRatios() {
      await phase('ratio growth', () => [(async () => {
        for (const r of d.reserves) {
          if (r.feed.kind !== 'capo') continue;
          count('ratioUpdate');
          const ratio = await readRatio(publicClient, r.feed.ratioProvider);
          await setRatio(tx, admin, r.feed.ratioProvider, ratio * RATIO_GROWTH.num / RATIO_GROWTH.den, r.symbol);
        }
      })()]);
    }
  } finally {
    await testClient.setAutomine(wasAutomine).catch(() => {});
  }
}

function fmt(x: unknown): string {
  if (typeof x === 'string' && x.startsWith('0x')) return x.length > 12 ? `${x.slice(0, 8)}…` : x;
  if (typeof x === 'bigint') return x === maxUint256 ? 'max' : x.toString();
  return String(x);
}
