// Drives the devnet's Gearbox V3.1 market (devnet/gearbox-v3/deploy.ts) through a seeded scenario, with
// named checkpoints as the Aave and Morpho scenarios have:
//
//   setup                 LPs (and the treasury) deposited; credit accounts opened with collateral, debt
//                         (withdrawn to the owner, so the account holds only collateral) and a quota on it
//   after-interest        30 days later: Chainlink heartbeats, a new gauge epoch (quota rates pushed),
//                         some borrowers repaid part of their debt, one LP withdrew a tenth
//   before-crash          another 7-14 days of interest
//   after-crash           the collaterals' aggregators report the crash (new rounds, AnswerUpdated)
//   after-liquidations    liquidatable accounts without loss liquidated in full (the liquidator profits, the
//                         treasury gets the liquidation fee as pool shares); one account partially liquidated
//   after-covered-loss    a liquidation with a loss smaller than the treasury's pool shares: they are burned
//   after-uncovered-loss  a liquidation whose loss exceeds them: IncurUncoveredLoss, the share price falls
//   end                   a day later, a healthy borrower repays everything and closes its account
//
// The plan (devnet/scenario/gearbox-plan.ts) sizes every account from the outcome its role must have; the run
// checks each promised outcome on the chain as it goes and fails with GEARBOX_OUTCOME_MISSING otherwise.
// Speed as in the other scenarios: automine off, each phase signs locally, sends in batches and mines until
// the pool is empty (TxSender).
import { getAddress, maxUint256, parseEventLogs, type Address, type Hex, type PrivateKeyAccount, type TransactionReceipt } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { loadArtifact } from '../aave-v3/artifacts';
import { ANVIL_DEPLOYER_KEY, deriveAccount, fundAccounts, type DevnetClients } from '../chain/anvil';
import { TxSender } from '../chain/txs';
import { feedProxyAbi, updateAnswer } from '../chainlink/feeds';
import { creditFacadeAbi, gaugeAbi, poolAbi, priceOracleAbi } from '../gearbox-v3/abis';
import { defaultTreasury, heartbeat, type GearboxDeployment } from '../gearbox-v3/deploy';
import { GearboxDevnetError, explainGearboxRevert } from '../gearbox-v3/errors';
import { CM_FEES, PERCENTAGE_FACTOR, collateralConfig, tokenConfig } from '../gearbox-v3/market-config';
import { debtAndCollateral, step, type MultiCall } from './gearbox-calls';
import { planGearboxScenario, type GearboxRole } from './gearbox-plan';

export type GearboxCheckpointName =
  | 'setup' | 'after-interest' | 'before-crash' | 'after-crash'
  | 'after-liquidations' | 'after-covered-loss' | 'after-uncovered-loss' | 'end';

export interface GearboxCheckpoint {
  name: GearboxCheckpointName;
  block: number;
  timestamp: number;
}

export interface GearboxLiquidationRecord {
  kind: 'full' | 'partial';
  /** the role the account was planned for */
  role: GearboxRole;
  creditAccount: Address;
  liquidator: Address;
  block: number;
  tx: Hex;
}

export interface GearboxCreditAccountRecord {
  /** the borrower (EOA owning the credit account) */
  owner: Address;
  creditAccount: Address;
  role: GearboxRole;
  collateral: string;
  collateralToken: Address;
  openBlock: number;
  /** set when liquidated (the full one leaves the account open with zero debt, as Gearbox does) */
  liquidation?: GearboxLiquidationRecord;
  /** block where its owner closed it (closeCreditAccount) */
  closedBlock?: number;
}

export interface GearboxScenarioResult {
  seed: string;
  /** every EOA that touched the market: borrowers, depositors, liquidators, the treasury */
  accounts: Address[];
  borrowers: Address[];
  depositors: Address[];
  liquidators: Address[];
  treasury: Address;
  creditAccounts: GearboxCreditAccountRecord[];
  liquidations: GearboxLiquidationRecord[];
  checkpoints: GearboxCheckpoint[];
  counts: Record<string, number>;
  txs: number;
}

export interface GearboxScenarioOptions {
  clients: DevnetClients;
  deployment: GearboxDeployment;
  seed: string | number;
  /** credit accounts (at least 6: one per role, two liquidated in full); default 12 */
  accounts?: number;
  log?: (msg: string) => void;
  /** the feeds' operator; defaults to anvil account 0, the default deployer */
  ownerKey?: Hex;
  /** the treasury's key, when the deployment's treasury is not the default derived one */
  treasuryKey?: Hex;
}

const GAS = { token: 150_000n, pool: 400_000n, open: 3_000_000n, multicall: 2_000_000n, liquidate: 3_000_000n, admin: 400_000n } as const;
const DAY = 86_400;
const BLOCK_INTERVAL = 12;
const ETH_PER_ACCOUNT = 10_000n * 10n ** 18n;
/** Underlying each liquidator gets (token units): more than any liquidation here pays. */
const LIQUIDATOR_USDC = 10_000_000n * 10n ** 6n;
/** Extra underlying a closing borrower adds over its debt (interest and fees since the last read). */
const CLOSE_MARGIN_BPS = 200n;

export async function runGearboxScenario(opts: GearboxScenarioOptions): Promise<GearboxScenarioResult> {
  const { clients, deployment: d } = opts;
  const seed = String(opts.seed);
  const log = opts.log ?? (() => {});
  const plan = planGearboxScenario(seed, opts.accounts ?? 12);
  const borrowers = plan.accounts.map((p) => deriveAccount(`gearbox-v3/${seed}`, p.index));
  const depositors = plan.deposits.map((_, j) => deriveAccount(`gearbox-v3/${seed}/lp`, j));
  const liquidators = Array.from({ length: plan.liquidators }, (_, k) => deriveAccount(`gearbox-v3/${seed}`, 1_000_000 + k));
  const owner = privateKeyToAccount(opts.ownerKey ?? ANVIL_DEPLOYER_KEY);
  const treasury = opts.treasuryKey ? privateKeyToAccount(opts.treasuryKey) : defaultTreasury();
  if (treasury.address !== d.treasury) throw new GearboxDevnetError('GEARBOX_BAD_OPTIONS', `the deployment's treasury ${d.treasury} is not the derived one; pass treasuryKey`);
  const counts: Record<string, number> = {};
  const count = (k: string) => (counts[k] = (counts[k] ?? 0) + 1);
  const checkpoints: GearboxCheckpoint[] = [];
  const liquidations: GearboxLiquidationRecord[] = [];
  const { publicClient, testClient } = clients;
  const mintable = loadArtifact('MintableERC20').abi;
  const token = (symbol: string) => {
    const t = d.tokens.find((x) => x.symbol === symbol);
    if (!t) throw new GearboxDevnetError('GEARBOX_BAD_OPTIONS', `deployment has no token ${symbol}`);
    return t.address;
  };
  const usdc = d.underlying;
  const proxies = d.tokens.map((t) => t.feed.proxy);

  const wasAutomine = await testClient.getAutomine();
  await testClient.setAutomine(false);
  const tx = new TxSender(clients, true);
  tx.blockInterval = BLOCK_INTERVAL;
  tx.explainRevert = explainGearboxRevert;
  const t0 = Date.now();
  try {
    await fundAccounts(clients, [...borrowers, ...depositors, ...liquidators, treasury].map((a) => a.address), ETH_PER_ACCOUNT);
    await tx.prime([...borrowers, ...depositors, ...liquidators, treasury, owner]);

    const send = (who: PrivateKeyAccount, what: string, address: Address, abi: readonly unknown[], functionName: string, args: readonly unknown[], gas: bigint) => {
      count(what);
      return tx.write(who, { address, abi: abi as never, functionName, args, gas } as never, `${what} by ${who.address.slice(0, 10)}`);
    };
    const erc20 = (who: PrivateKeyAccount, fn: 'mint' | 'approve', address: Address, args: readonly unknown[]) => send(who, fn, address, mintable, fn, args, GAS.token);
    const facade = (who: PrivateKeyAccount, what: string, functionName: string, args: readonly unknown[], gas: bigint) =>
      send(who, what, d.creditFacade, creditFacadeAbi, functionName, args, gas);
    const phase = async (name: string, body: () => Promise<unknown>[]): Promise<TransactionReceipt[]> => {
      const started = Date.now();
      const before = tx.sent;
      await Promise.all(body());
      const receipts = await tx.settle();
      const nums = receipts.map((r) => Number(r.blockNumber));
      log(`${name}: ${tx.sent - before} txs, ${nums.length ? `blocks ${Math.min(...nums)}..${Math.max(...nums)}` : 'no txs'}, ${Date.now() - started} ms`);
      return receipts;
    };
    const checkpoint = async (name: GearboxCheckpointName) => {
      const b = await publicClient.getBlock({ blockTag: 'latest' });
      checkpoints.push({ name, block: Number(b.number), timestamp: Number(b.timestamp) });
      log(`checkpoint ${name} at block ${b.number}`);
    };
    // After a warp: a heartbeat round on every feed (else PriceOracleV3 reverts StalePriceException) and the
    // gauge's epoch update (the quota keeper takes the new rates; a no-op within the same epoch).
    const afterWarp = (name: string) => phase(name, () => [
      heartbeat(tx, owner, proxies).then(() => count('heartbeat')),
      send(owner, 'updateEpoch', d.gauge, gaugeAbi, 'updateEpoch', [], GAS.admin),
    ]);

    // --- setup ------------------------------------------------------------------------------------------
    // Feeds shared with another devnet protocol may have moved (its own crash): back to the initial prices.
    await movePrices('reset prices', {});
    await phase('balances+approve', () => [
      ...depositors.flatMap((a, j) => [erc20(a, 'mint', usdc, [a.address, plan.deposits[j]]), erc20(a, 'approve', usdc, [d.pool, maxUint256])]),
      erc20(treasury, 'mint', usdc, [treasury.address, plan.treasuryDeposit]),
      erc20(treasury, 'approve', usdc, [d.pool, maxUint256]),
      ...plan.accounts.flatMap((p, i) => [
        erc20(borrowers[i], 'mint', token(p.collateral), [borrowers[i].address, p.collateralAmount]),
        erc20(borrowers[i], 'approve', token(p.collateral), [d.creditManager, maxUint256]),
        // underlying for repaying: the borrowed funds are withdrawn to the owner, plus interest money
        erc20(borrowers[i], 'mint', usdc, [borrowers[i].address, p.debt / 5n]),
        erc20(borrowers[i], 'approve', usdc, [d.creditManager, maxUint256]),
      ]),
      ...liquidators.flatMap((a) => [erc20(a, 'mint', usdc, [a.address, LIQUIDATOR_USDC]), erc20(a, 'approve', usdc, [d.creditManager, maxUint256])]),
    ]);
    await phase('deposits', () => [
      ...depositors.map((a, j) => j === 0
        ? send(a, 'depositWithReferral', d.pool, poolAbi, 'depositWithReferral', [plan.deposits[j], a.address, 7n], GAS.pool)
        : send(a, 'deposit', d.pool, poolAbi, 'deposit', [plan.deposits[j], a.address], GAS.pool)),
      send(treasury, 'deposit', d.pool, poolAbi, 'deposit', [plan.treasuryDeposit, treasury.address], GAS.pool),
    ]);
    // CreditFacadeV3 caps new debt per block at maxDebt x maxDebtPerBlockMultiplier (2): open in chunks
    // that stay under it (each settle mines at least one block).
    const perBlock = (BigInt(d.debtLimits.maxDebt) * 2n * 9n) / 10n;
    const chunks: number[][] = [[]];
    let sum = 0n;
    for (const p of plan.accounts) {
      if (sum + p.debt > perBlock) {
        chunks.push([]);
        sum = 0n;
      }
      chunks[chunks.length - 1].push(p.index);
      sum += p.debt;
    }
    const records: GearboxCreditAccountRecord[] = [];
    for (const [k, chunk] of chunks.entries()) {
      const hashes = new Map<Hex, number>();
      const receipts = await phase(`open accounts ${k + 1}/${chunks.length}`, () => chunk.map(async (i) => {
        const p = plan.accounts[i];
        const a = borrowers[i];
        const collateral = token(p.collateral);
        const calls: MultiCall[] = [
          step(d.creditFacade, { fn: 'addCollateral', token: collateral, amount: p.collateralAmount }),
          step(d.creditFacade, { fn: 'increaseDebt', amount: p.debt }),
          step(d.creditFacade, { fn: 'updateQuota', token: collateral, change: p.quota, minQuota: p.quota }),
          step(d.creditFacade, { fn: 'withdrawCollateral', token: usdc, amount: p.debt, to: a.address }),
        ];
        hashes.set(await facade(a, 'openCreditAccount', 'openCreditAccount', [a.address, calls, 0n], GAS.open), i);
      }));
      for (const r of receipts) {
        const i = hashes.get(r.transactionHash);
        if (i === undefined) continue;
        const [opened] = parseEventLogs({ abi: creditFacadeAbi, eventName: 'OpenCreditAccount', logs: r.logs });
        const p = plan.accounts[i];
        records[i] = { owner: borrowers[i].address, creditAccount: opened.args.creditAccount, role: p.role, collateral: p.collateral, collateralToken: token(p.collateral), openBlock: Number(r.blockNumber) };
      }
    }
    await checkpoint('setup');

    // --- interest, activity -------------------------------------------------------------------------------
    await tx.warp(plan.interestDays[0] * DAY);
    await afterWarp('heartbeat+epoch');
    await phase('activity', () => [
      ...plan.accounts.filter((p) => p.repay > 0n).map((p) => facade(borrowers[p.index], 'repay', 'multicall', [records[p.index].creditAccount, [
        step(d.creditFacade, { fn: 'addCollateral', token: usdc, amount: p.repay }),
        step(d.creditFacade, { fn: 'decreaseDebt', amount: p.repay }),
      ]], GAS.multicall)),
      send(depositors[plan.withdrawer], 'withdraw', d.pool, poolAbi, 'withdraw', [plan.deposits[plan.withdrawer] / 10n, depositors[plan.withdrawer].address, depositors[plan.withdrawer].address], GAS.pool),
    ]);
    await checkpoint('after-interest');
    await tx.warp(plan.interestDays[1] * DAY);
    await afterWarp('heartbeat+epoch');
    await checkpoint('before-crash');

    // --- crash ------------------------------------------------------------------------------------------
    await movePrices('crash', plan.crash);
    await checkpoint('after-crash');

    // --- liquidations -------------------------------------------------------------------------------------
    const byRole = (role: GearboxRole) => plan.accounts.filter((p) => p.role === role).map((p) => p.index);
    const liquidate = async (what: string, indices: number[], kind: 'full' | 'partial') => {
      const sent = new Map<Hex, number>();
      const receipts = await phase(what, () => indices.map(async (i, k) => {
        const rec = records[i];
        const liquidator = liquidators[k % liquidators.length];
        const cdd = await debtAndCollateral(clients, d.creditManager, rec.creditAccount);
        if (!(cdd.twvUSD < cdd.totalDebtUSD)) throw new GearboxDevnetError('GEARBOX_OUTCOME_MISSING', `account ${rec.creditAccount} (${rec.role}) is not liquidatable after the crash: twvUSD ${cdd.twvUSD} >= totalDebtUSD ${cdd.totalDebtUSD}`);
        let hash: Hex;
        if (kind === 'full') {
          const balance = await publicClient.readContract({ address: rec.collateralToken, abi: mintable as never, functionName: 'balanceOf', args: [rec.creditAccount] }) as bigint;
          // Pay the account's whole value in underlying, take the collateral: the facade returns what
          // exceeds the pool's and the owner's due (CreditManagerV3.liquidateCreditAccount), so the liquidator
          // pays totalValue x (1 - premium) for collateral worth totalValue.
          const calls = [
            step(d.creditFacade, { fn: 'addCollateral', token: usdc, amount: cdd.totalValue + 1n }),
            step(d.creditFacade, { fn: 'withdrawCollateral', token: rec.collateralToken, amount: balance, to: liquidator.address }),
          ];
          hash = await facade(liquidator, 'liquidateCreditAccount', 'liquidateCreditAccount', [rec.creditAccount, liquidator.address, calls, '0x'], GAS.liquidate);
        } else {
          hash = await facade(liquidator, 'partiallyLiquidateCreditAccount', 'partiallyLiquidateCreditAccount', [rec.creditAccount, rec.collateralToken, await partialAmount(rec, cdd), 0n, liquidator.address, []], GAS.liquidate);
        }
        sent.set(hash, i);
      }));
      const out: TransactionReceipt[] = [];
      for (const r of receipts) {
        const i = sent.get(r.transactionHash);
        if (i === undefined) continue;
        const rec = records[i];
        rec.liquidation = { kind, role: rec.role, creditAccount: rec.creditAccount, liquidator: getAddress(r.from), block: Number(r.blockNumber), tx: r.transactionHash };
        liquidations.push(rec.liquidation);
        out.push(r);
      }
      return out;
    };
    /**
     * Underlying to repay so that the account ends above hf 1: each unit repaid lowers the debt by
     * (1 - feeLiquidation) and the TWV by LT / (1 - premium) (the seized collateral, CreditFacadeV3
     * _calcPartialLiquidationPayments); 30% margin, and the remaining debt stays above minDebt.
     */
    const partialAmount = async (rec: GearboxCreditAccountRecord, cdd: Awaited<ReturnType<typeof debtAndCollateral>>) => {
      const bps = PERCENTAGE_FACTOR;
      const lt = BigInt(collateralConfig(rec.collateral).lt);
      const improvementBps = bps - BigInt(CM_FEES.feeLiquidation) - (lt * bps + (bps - BigInt(CM_FEES.liquidationPremium)) - 1n) / (bps - BigInt(CM_FEES.liquidationPremium));
      const price = await publicClient.readContract({ address: d.priceOracle, abi: priceOracleAbi, functionName: 'getPrice', args: [usdc] });
      const deficit = ((cdd.totalDebtUSD - cdd.twvUSD) * 10n ** BigInt(tokenConfig(tokenSymbolOf(usdc)).decimals)) / price;
      const amount = (deficit * bps * 13n) / (improvementBps * 10n);
      const cap = ((cdd.debt - BigInt(d.debtLimits.minDebt)) * bps) / (bps - BigInt(CM_FEES.feeLiquidation));
      if (amount > cap) throw new GearboxDevnetError('GEARBOX_OUTCOME_MISSING', `partial liquidation of ${rec.creditAccount} would need ${amount}, more than the ${cap} that keeps its debt above minDebt`);
      return amount;
    };
    const tokenSymbolOf = (address: Address) => d.tokens.find((t) => t.address === address)!.symbol;
    const uncoveredIn = (r: TransactionReceipt) => parseEventLogs({ abi: poolAbi, eventName: 'IncurUncoveredLoss', logs: r.logs });
    const treasuryShares = () => publicClient.readContract({ address: d.pool, abi: poolAbi, functionName: 'balanceOf', args: [d.treasury] });

    for (const r of [...(await liquidate('liquidations', byRole('liquidated'), 'full')), ...(await liquidate('partial liquidation', byRole('partial'), 'partial'))]) {
      if (uncoveredIn(r).length) throw new GearboxDevnetError('GEARBOX_OUTCOME_MISSING', `a liquidation planned without loss incurred one (tx ${r.transactionHash})`);
    }
    await checkpoint('after-liquidations');
    const sharesBefore = await treasuryShares();
    for (const r of await liquidate('covered-loss liquidation', byRole('covered-loss'), 'full')) {
      if (uncoveredIn(r).length) throw new GearboxDevnetError('GEARBOX_OUTCOME_MISSING', `the covered loss was not covered by the treasury (tx ${r.transactionHash})`);
    }
    if ((await treasuryShares()) >= sharesBefore) throw new GearboxDevnetError('GEARBOX_OUTCOME_MISSING', 'the covered-loss liquidation burned no treasury shares');
    await checkpoint('after-covered-loss');
    for (const r of await liquidate('uncovered-loss liquidation', byRole('uncovered-loss'), 'full')) {
      if (!uncoveredIn(r).length) throw new GearboxDevnetError('GEARBOX_OUTCOME_MISSING', `the uncovered-loss liquidation emitted no IncurUncoveredLoss (tx ${r.transactionHash})`);
    }
    await checkpoint('after-uncovered-loss');

    // --- aftermath: a healthy borrower repays everything and closes ------------------------------------------
    await tx.warp(DAY);
    await afterWarp('heartbeat+epoch');
    const closers = plan.accounts.filter((p) => p.closeAtEnd);
    const closing = await Promise.all(closers.map((p) => debtAndCollateral(clients, d.creditManager, records[p.index].creditAccount)));
    const closeHashes = new Map<Hex, number>();
    const closeReceipts = await phase('close account', () => closers.map(async (p, k) => {
      const rec = records[p.index];
      const owed = closing[k].debt + closing[k].accruedInterest + closing[k].accruedFees;
      return facade(borrowers[p.index], 'closeCreditAccount', 'closeCreditAccount', [rec.creditAccount, [
        step(d.creditFacade, { fn: 'addCollateral', token: usdc, amount: owed + (owed * CLOSE_MARGIN_BPS) / PERCENTAGE_FACTOR }),
        // Quotas must go before the debt reaches zero (DebtToZeroWithActiveQuotasException).
        step(d.creditFacade, { fn: 'updateQuota', token: rec.collateralToken, change: -(2n ** 95n), minQuota: 0n }),
        step(d.creditFacade, { fn: 'decreaseDebt', amount: maxUint256 }),
        step(d.creditFacade, { fn: 'withdrawCollateral', token: rec.collateralToken, amount: maxUint256, to: rec.owner }),
        step(d.creditFacade, { fn: 'withdrawCollateral', token: usdc, amount: maxUint256, to: rec.owner }),
      ]], GAS.multicall).then((h) => closeHashes.set(h, p.index));
    }));
    for (const r of closeReceipts) {
      const i = closeHashes.get(r.transactionHash);
      if (i !== undefined) records[i].closedBlock = Number(r.blockNumber);
    }
    await checkpoint('end');

    log(`max gas used: ${[...tx.maxGasUsed].map(([k, g]) => `${k} ${g}`).join(', ')}`);
    log(`Gearbox scenario ${seed}: ${plan.accounts.length} credit accounts, ${tx.sent} txs, ${liquidations.length} liquidations, ${Date.now() - t0} ms`);
    return {
      seed,
      accounts: [...borrowers, ...depositors, ...liquidators, treasury].map((a) => a.address),
      borrowers: borrowers.map((a) => a.address),
      depositors: depositors.map((a) => a.address),
      liquidators: liquidators.map((a) => a.address),
      treasury: treasury.address,
      creditAccounts: records,
      liquidations,
      checkpoints,
      counts,
      txs: tx.sent,
    };

    /**
     * Every token's feed to its initial USD price (market-config) x factor (1 if absent): a new round on the
     * aggregator currently behind its proxy, only where the answer changes. Sequential: same txs every run.
     */
    async function movePrices(name: string, factors: Record<string, number>) {
      await phase(name, () => [(async () => {
        for (const t of d.tokens) {
          const answer = (tokenConfig(t.symbol).usd * BigInt(Math.round((factors[t.symbol] ?? 1) * 1e6))) / 1_000_000n;
          if ((await publicClient.readContract({ address: t.feed.proxy, abi: feedProxyAbi, functionName: 'latestAnswer' })) === answer) continue;
          count('priceUpdate');
          await updateAnswer(tx, owner, t.feed.proxy, answer, t.symbol);
        }
      })()]);
    }
  } finally {
    await testClient.setAutomine(wasAutomine).catch(() => {});
  }
}
