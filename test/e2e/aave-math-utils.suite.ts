import { formatReserves, formatUserSummary } from '@aave/math-utils';
import { parseAbi, type Address, type PublicClient } from 'viem';
import { poolAbi } from '../../devnet/aave-v3/abis';
import { aaveAccountFigures, type AaveAccountFigures, type AaveAccountState } from '../../server/families/aave-v3/account';
import { RAY } from '../../server/families/aave-v3/math';
import { loadMarketTable, loadOpenAccountRows } from '../../server/families/aave-v3/source';
import { loadProtocols } from '../../server/sources/protocols';
import { withPrices } from '../../server/families/aave-v3/prices';
import type { SubgraphClient } from '../../server/sources/subgraph-client';
import { readAaveMarkets } from '../support/aave-subgraph';
import { blockTimestamp, lower } from '../support/chain';
import type { ProtocolUnderTest } from '../support/stack-process';

/**
 * Cross-check with Aave's own client library. At every checkpoint block the INDEXED state (reserve
 * indexes, rates, last update, configuration, e-mode categories; each account's scaled balances,
 * collateral flags and e-mode) with the prices AaveOracle.getAssetPrice gives at that block (the
 * devnet's feeds move silently, as mainnet's do, so indexed event prices go stale; the gateway reads
 * the oracle the same way) is fed to @aave/math-utils (formatReserves + formatUserSummary)
 * and, for every account, its totals and health factor are compared with
 *   (a) our aaveAccountFigures on the same indexed data (loaded the way the gateway loads it), and
 *   (b) Pool.getUserAccountData at that block.
 * (a) and (b) must also agree exactly with each other: both are integer mirrors of GenericLogic.
 *
 * Tolerances (math-utils vs contract/ours), derived from how math-utils computes, kept as tight as that
 * allows:
 * - Balance of a position, in wei: math-utils recomputes the index in BigNumber with other rounding than
 *   MathUtils.sol: linear interest as rayMul(rate, rayDiv(dt, year)) instead of rate*dt/year (<= 2 ray
 *   units apart), compounded interest with rate/year truncated first and rayMul(b, b) for the square
 *   (first term up to `dt` ray units apart; the squared base up to 2 ray units apart, times
 *   dt(dt-1)/2; the cubed term is below that), then rayToWad(rayMul(wadToRay(scaled), index)): a second
 *   half-up rounding. The index error is relative, so |balance_mu - balance| <= 1 wei +
 *   balance * (dt^2 + dt + 4) / 1e27 (dt = seconds since the reserve's last update; 4 for supply).
 *   Checked per position. Seen on the devnet: debt 30 days after the last update differs by
 *   3.4e-15 relative (thousands of wei), half the bound: the squared base is 1 ray unit apart there.
 * - Base-currency value of a position: math-utils multiplies balance x price / 10^decimals exactly (no
 *   truncation); the contract truncates (GenericLogic._getUserBalanceInBaseCurrency). So per position
 *   0 <= value_mu - value < 1 base unit, plus the balance tolerance valued at the price. Totals: the sum
 *   over the positions counted. normalize() prints 20 decimals: 1e-12 base units, below everything here.
 * - Average liquidation threshold and LTV: the contract truncates sum(value x bps) / total to whole bps;
 *   math-utils does not (valueToZDBigNumber wraps a quotient already divided to 20 digits, and the
 *   constructor does not round), so 0 <= avg_mu - avg < 1 bps, widened by 2e4 * epsC / C for the value
 *   differences above. Seen: up to 0.995 bps.
 * - Health factor: math-utils computes it from its fractional threshold, so for mixed collateral it
 *   sits up to 1/LT (~1.2e-4 relative) above the contract's; a fixed relative tolerance would have to
 *   be that loose. Instead, per account, from the differences bounded above plus the contract's own
 *   roundings (percentMul half-up: 0.5 base unit; wadDiv half-up: 0.5e-18; BigNumber's 20 digits):
 *   |HF_mu - HF| <= LT_mu/1e4 * (epsC*D + C*epsD) / (D*D_mu) + C*|LT_mu - LT| / (1e4*D) + 0.5/D + 1e-18.
 *   Where the average threshold is whole (e.g. a single collateral asset), HF agreed to ~1e-10 relative.
 * - No debt: the contract returns uint256 max, ours null, math-utils -1. A debt worth less than one base
 *   unit is 0 for the contract (no debt) but not for math-utils: accepted only when math-utils' debt is
 *   within its tolerance of 0 (then its finite health factor is not compared).
 */
const ORACLE_ABI = parseAbi(['function getAssetPrice(address) view returns (uint256)']);

export function aaveMathUtilsSuite(ctx: () => { state: ProtocolUnderTest; chain: PublicClient; subgraph: SubgraphClient }) {
  it('math-utils, our account figures and Pool.getUserAccountData agree for every account at every checkpoint', async () => {
    const { state, chain, subgraph } = ctx();
    const mismatches: string[] = [];
    let compared = 0;
    let withDebt = 0;
    let dustDebt = 0;
    let noDebt = 0;
    let worstHfRel = 0;
    let worstHfRelWholeLt = 0;
    let worstLtDiff = 0;
    let worstWei = 0;
    for (const cp of state.scenario.checkpoints) {
      const block = Number(cp.block);
      const timestamp = await blockTimestamp(chain, BigInt(block));
      const raw = await loadRaw(subgraph, block);
      const oraclePrices = new Map<string, bigint>();
      for (const m of raw.markets) {
        const price = await chain.readContract({ address: state.deployment.aaveOracle, abi: ORACLE_ABI, functionName: 'getAssetPrice', args: [m.inputToken.id as Address], blockNumber: BigInt(block) });
        oraclePrices.set(m.inputToken.id, price);
        m.price = price.toString();
      }
      const protocols = await loadProtocols(subgraph, block);
      expect(protocols).toHaveLength(1);
      const indexedTable = await loadMarketTable(subgraph, protocols[0].id, block);
      expect(indexedTable).not.toBeNull();
      const table = withPrices(indexedTable!, { byAsset: oraclePrices, pricing: new Map(), warnings: [] });
      // Every open position, grouped by account (the gateway's from-scratch read).
      const rows = await loadOpenAccountRows(subgraph, protocols[0].id, block, indexedTable!.markets);
      const loaded = new Map<string, AaveAccountState>();
      for (const r of rows.positions) {
        const address = lower(r.address);
        if (!loaded.has(address)) loaded.set(address, { address, eModeCategoryId: rows.eModes.get(address) ?? 0, positions: [] });
        loaded.get(address)!.positions.push(r.position!);
      }

      const reserveInputs = raw.markets.map((m, i) => toMathUtilsReserve(m, i));
      const eModes = raw.emodeCategories.map((c) => toMathUtilsEMode(c, raw.markets));
      const formatted = new Map<number, ReturnType<typeof formatReserves>>();
      // math-utils 1.38 models v3.2+, which has no e-mode price source; in v3.0 the category's price
      // replaces member assets' prices for users in the category, so those users get reserves priced so.
      const formattedFor = (category: number) => {
        const priceCategory = eModePrice(raw, category) === 0n ? 0 : category;
        let f = formatted.get(priceCategory);
        if (!f) {
          const price = eModePrice(raw, priceCategory);
          const reserves = reserveInputs.map((r, i) =>
            priceCategory !== 0 && raw.markets[i].eModeCategoryId === priceCategory ? { ...r, priceInMarketReferenceCurrency: price.toString() } : r,
          );
          f = formatReserves({ reserves, eModes, currentTimestamp: Number(timestamp), marketReferenceCurrencyDecimals: 8, marketReferencePriceInUsd: '100000000' });
          formatted.set(priceCategory, f);
        }
        return f;
      };

      const eModeOf = new Map(raw.protocolAccounts.map((a) => [lower(a.account.id), a.eModeCategoryId]));
      const positionsOf = new Map<Address, RawPosition[]>();
      for (const p of raw.positions) positionsOf.set(lower(p.account.id), [...(positionsOf.get(lower(p.account.id)) ?? []), p]);
      const accounts = [...new Set<Address>([...state.scenario.accounts.map(lower), ...positionsOf.keys()])];
      const onChain = await Promise.all(
        accounts.map((user) => chain.readContract({ address: state.deployment.pool, abi: poolAbi, functionName: 'getUserAccountData', args: [user], blockNumber: BigInt(block) })),
      );

      accounts.forEach((user, k) => {
        compared++;
        const where = `${cp.name} (block ${block}) ${user}`;
        const category = eModeOf.get(user) ?? 0;
        const positions = positionsOf.get(user) ?? [];
        const summary = formatUserSummary({
          currentTimestamp: Number(timestamp),
          marketReferencePriceInUsd: '100000000',
          marketReferenceCurrencyDecimals: 8,
          userEmodeCategoryId: category,
          formattedReserves: formattedFor(category),
          userReserves: positions.map((p) => ({
            underlyingAsset: raw.markets.find((m) => m.id === p.market.id)!.inputToken.id,
            scaledATokenBalance: p.scaledSupplyBalance,
            scaledVariableDebt: p.scaledVariableDebt,
            usageAsCollateralEnabledOnUser: p.collateralEnabled,
          })),
        });
        const [totalCollateralBase, totalDebtBase, , currentLiquidationThreshold, ltv, healthFactor] = onChain[k];
        const contract = { totalCollateralBase, totalDebtBase, ltv, liquidationThreshold: currentLiquidationThreshold, healthFactor: healthFactor === MAX_UINT256 ? null : healthFactor };
        let ours: AaveAccountFigures;
        try {
          ours = aaveAccountFigures(loaded.get(user) ?? { address: user, eModeCategoryId: 0, positions: [] }, table!.reserves, table!.eModes, table!.pricesByAsset, timestamp, table!.rules);
        } catch (err) {
          mismatches.push(`${where}: aaveAccountFigures threw ${(err as Error).message}`);
          return;
        }
        // Ours and the contract: exact.
        for (const key of ['totalCollateralBase', 'totalDebtBase', 'ltv', 'liquidationThreshold', 'healthFactor'] as const) {
          if (ours[key] !== contract[key]) mismatches.push(`${where} ours vs contract ${key}: ${ours[key]} vs ${contract[key]}`);
        }

        // Per-position balances and the totals' tolerances, in base units x S: each counted position
        // may add [0, 1) base unit of truncation (truncC/truncD) and +-its balance tolerance (balC/balD).
        const S = 10n ** 30n; // fixed-point scale for the comparisons (math-utils prints <= 20 decimals)
        const dt = (m: RawMarket) => timestamp - BigInt(m.lastUpdateTimestamp);
        let truncC = 0n;
        let truncD = 0n;
        let balC = 0n;
        let balD = 0n;
        for (const mu of summary.userReservesData) {
          const m = raw.markets.find((x) => x.inputToken.id === mu.underlyingAsset)!;
          const mine = ours.positions.find((p) => p.marketId === m.id);
          const unit = 10n ** BigInt(m.decimals);
          const price = BigInt(formattedFor(category).find((r) => r.underlyingAsset === m.inputToken.id)!.priceInMarketReferenceCurrency);
          const balances: [string, string, bigint, bigint][] = [
            ['supplied', mu.underlyingBalance, mine?.supplied ?? 0n, 4n],
            ['borrowed', mu.variableBorrows, mine?.borrowed ?? 0n, dt(m) * dt(m) + dt(m) + 4n],
          ];
          for (const [what, text, exact, indexSlack] of balances) {
            const weiMu = fixed(text, m.decimals, 0);
            const tolWei = 1n + ceilDiv(exact * indexSlack, RAY);
            if (abs(weiMu - exact) > tolWei) mismatches.push(`${where} ${m.inputToken.symbol} ${what}: math-utils ${weiMu} wei, ours ${exact} (tolerance ${tolWei})`);
            worstWei = Math.max(worstWei, Number(abs(weiMu - exact)));
            const balS = ceilDiv(tolWei * price * S, unit);
            if (what === 'supplied' && mine?.isCollateral) [truncC, balC] = [truncC + 1n, balC + balS];
            if (what === 'borrowed' && exact > 0n) [truncD, balD] = [truncD + 1n, balD + balS];
          }
        }

        // Totals, threshold, LTV: math-utils against ours and against the contract.
        const cMu = fixed(summary.totalCollateralMarketReferenceCurrency, 8, 30);
        const dMu = fixed(summary.totalBorrowsMarketReferenceCurrency, 8, 30);
        const ltMu = fixed(summary.currentLiquidationThreshold, 4, 30); // bps x S, fractional
        const ltvMu = fixed(summary.currentLoanToValue, 4, 30);
        for (const [label, ref] of [['ours', ours], ['contract', contract]] as const) {
          const C = ref.totalCollateralBase;
          const D = ref.totalDebtBase;
          // value_mu - value in [-bal, trunc + bal], and normalize()'s 20 digits: 1e-12 base units
          const PRINT = S / 10n ** 12n;
          for (const [what, mu, exact, trunc, bal] of [['collateral', cMu, C, truncC, balC], ['debt', dMu, D, truncD, balD]] as const) {
            const d = mu - exact * S;
            if (d < -bal - PRINT || d > trunc * S + bal + PRINT) {
              mismatches.push(`${where} math-utils vs ${label} ${what}: ${formatFixed(mu, 30)} vs ${exact} base units (allowed ${formatFixed(-bal - PRINT, 30)} .. +${formatFixed(trunc * S + bal + PRINT, 30)})`);
            }
          }
          const epsC = truncC * S + balC + PRINT; // |value_mu - value| bounds, base units x S
          const epsD = truncD * S + balD + PRINT;
          // The averages: the contract truncates to whole bps, math-utils keeps the fraction, so
          // 0 <= avg_mu - avg < 1 bps, widened by how far the value differences can move a weighted
          // average of numbers in [0, 1e4] bps: 2e4 * epsC / C (and 1e-16 bps for BigNumber's 20 digits).
          const slack = C === 0n ? 0n : ceilDiv(2n * 10_000n * epsC, C) + S / 10n ** 16n;
          for (const [what, mu, exact] of [['liquidation threshold', ltMu, ref.liquidationThreshold], ['LTV', ltvMu, ref.ltv]] as const) {
            const d = mu - exact * S;
            if (d < -slack || d >= S + slack) mismatches.push(`${where} math-utils vs ${label} ${what}: ${formatFixed(mu, 30)} vs ${exact} bps`);
            if (label === 'contract' && what === 'liquidation threshold') worstLtDiff = Math.max(worstLtDiff, Math.abs(Number(d) / 1e30));
          }

          // Health factor.
          const hfMuText = summary.healthFactor;
          if (ref.healthFactor === null) {
            if (hfMuText === '-1') {
              if (label === 'contract') noDebt++;
              continue;
            }
            if (dMu <= epsD) {
              if (label === 'contract') dustDebt++;
              continue; // sub-unit debt: the contract rounds it to 0
            }
            mismatches.push(`${where} math-utils vs ${label} health factor: ${hfMuText} vs no debt`);
            continue;
          }
          if (hfMuText === '-1') {
            mismatches.push(`${where} math-utils vs ${label} health factor: no debt vs ${ref.healthFactor}`);
            continue;
          }
          if (label === 'contract') withDebt++;
          const hfMu = fixed(hfMuText, 0, 30);
          const hf = ref.healthFactor * 10n ** 12n; // wad -> S
          const dMuFloor = dMu / S;
          if (dMuFloor === 0n) {
            mismatches.push(`${where} math-utils vs ${label}: debt ${summary.totalBorrowsMarketReferenceCurrency} below one base unit while the contract has ${D}`);
            continue;
          }
          // |HF_mu - HF| <= LT_mu/1e4 * (epsC*D + C*epsD) / (D*D_mu)   value differences
          //               + C * |LT_mu - LT| / (1e4 * D)               fractional vs truncated threshold
          //               + 0.5 / D + 1e-18                            percentMul, wadDiv, 20 digits
          const ltGap = abs(ltMu - ref.liquidationThreshold * S);
          const tol =
            ceilDiv(ltMu * (epsC * D + C * epsD), 10_000n * D * dMuFloor * S) + ceilDiv(C * ltGap, 10_000n * D) + ceilDiv(S, 2n * D) + S / 10n ** 18n;
          const diff = abs(hfMu - hf);
          if (hf > 0n) {
            const rel = Number((diff * 10n ** 18n) / hf) / 1e18;
            worstHfRel = Math.max(worstHfRel, rel);
            // where math-utils' average threshold is a whole number, the truncation plays no part
            if (ltMu % S === 0n) worstHfRelWholeLt = Math.max(worstHfRelWholeLt, rel);
          }
          if (diff > tol) mismatches.push(`${where} math-utils vs ${label} health factor: ${hfMuText} vs ${formatFixed(hf, 30)} (|diff| ${formatFixed(diff, 30)} > tolerance ${formatFixed(tol, 30)})`);
        }
      });
    }
    // Visible in the test output: how much was compared and how close math-utils came.
    console.log(`math-utils cross-check: ${compared} account x checkpoint comparisons, ${withDebt} with debt, ${noDebt} without, ${dustDebt} with sub-unit debt, worst relative health-factor difference ${worstHfRel.toExponential(2)} (${worstHfRelWholeLt.toExponential(2)} where the average threshold is whole), worst threshold difference ${worstLtDiff.toFixed(6)} bps, worst balance difference ${worstWei} wei, ${mismatches.length} mismatches`);
    if (mismatches.length) throw new Error(`${mismatches.length} mismatches:\n${mismatches.slice(0, 200).join('\n')}`);
    expect(compared).toBeGreaterThanOrEqual(state.scenario.checkpoints.length * state.scenario.accounts.length);
    expect(withDebt).toBeGreaterThan(0);
    expect(noDebt).toBeGreaterThan(0);
  });
}

const MAX_UINT256 = 2n ** 256n - 1n;
const ZERO_ADDRESS = '0x0000000000000000000000000000000000000000';

interface RawMarket {
  id: string;
  inputToken: { id: string; symbol: string; name: string };
  decimals: number;
  ltv: string;
  liquidationThreshold: string;
  liquidationBonus: string;
  reserveFactor: string;
  supplyCap: string;
  borrowCap: string;
  debtCeiling: string;
  isolationModeTotalDebt: string;
  eModeCategoryId: number;
  liquidityIndex: string;
  variableBorrowIndex: string;
  liquidityRate: string;
  variableBorrowRate: string;
  lastUpdateTimestamp: string;
  scaledTotalSupply: string;
  scaledTotalVariableDebt: string;
  accruedToTreasuryScaled: string;
  price: string | null;
}
interface RawEMode {
  id: string;
  categoryId: number;
  ltv: string;
  liquidationThreshold: string;
  liquidationBonus: string;
  priceSource: string;
  label: string;
}
interface RawPosition {
  id: string;
  account: { id: string };
  market: { id: string };
  scaledSupplyBalance: string;
  scaledVariableDebt: string;
  collateralEnabled: boolean;
}
interface Raw {
  markets: RawMarket[];
  emodeCategories: RawEMode[];
  positions: RawPosition[];
  protocolAccounts: { id: string; account: { id: string }; eModeCategoryId: number }[];
}

/** The indexed state at `block`, read straight from the subgraph (independently of server/sources). */
async function loadRaw(subgraph: SubgraphClient, block: number): Promise<Raw> {
  const [markets, emodeCategories, positions, protocolAccounts] = await Promise.all([
    readAaveMarkets<RawMarket>(subgraph, {
      market: 'inputToken { id symbol name } decimals',
      reserve: 'ltv liquidationThreshold liquidationBonus reserveFactor supplyCap borrowCap debtCeiling eModeCategoryId',
      state: `isolationModeTotalDebt liquidityIndex variableBorrowIndex liquidityRate variableBorrowRate
        lastUpdateTimestamp scaledTotalSupply scaledTotalVariableDebt accruedToTreasuryScaled price`,
    }, block),
    // Not queryAll: its filter-type guess (`EmodeCategory_filter`) misses graph-node's `EModeCategory_filter`.
    subgraph
      .query<{ emodeCategories: RawEMode[] }>(`{ emodeCategories(first: 1000, block: { number: ${block} }) { id categoryId ltv liquidationThreshold liquidationBonus priceSource label } }`)
      .then((d) => d.emodeCategories),
    subgraph.queryAll<RawPosition>({ collection: 'positions', block, fields: 'account { id } market { id } scaledSupplyBalance scaledVariableDebt collateralEnabled' }),
    subgraph.queryAll<Raw['protocolAccounts'][number]>({ collection: 'protocolAccounts', block, fields: 'account { id } eModeCategoryId' }),
  ]);
  for (const m of markets) {
    m.inputToken.id = lower(m.inputToken.id);
    if (m.price === null) throw new Error(`market ${m.inputToken.symbol} has no indexed price at block ${block}`);
  }
  return { markets, emodeCategories, positions, protocolAccounts };
}

/** A market as math-utils' ReserveDataWithPrice; `originalId` is our own numbering, used by the e-mode bitmaps. */
function toMathUtilsReserve(m: RawMarket, originalId: number) {
  const income = BigInt(m.liquidityIndex);
  // Only formatReserves' own reserve figures read availableLiquidity (not the user summary): the
  // balance identity aToken supply + accruedToTreasury - debt, at the stored indexes.
  const available = (BigInt(m.scaledTotalSupply) + BigInt(m.accruedToTreasuryScaled)) * income / RAY - BigInt(m.scaledTotalVariableDebt) * BigInt(m.variableBorrowIndex) / RAY;
  return {
    originalId,
    id: m.id,
    symbol: m.inputToken.symbol,
    name: m.inputToken.name,
    decimals: m.decimals,
    underlyingAsset: m.inputToken.id,
    usageAsCollateralEnabled: m.liquidationThreshold !== '0',
    reserveFactor: m.reserveFactor,
    baseLTVasCollateral: m.ltv,
    reserveLiquidationThreshold: m.liquidationThreshold,
    reserveLiquidationBonus: m.liquidationBonus,
    liquidityIndex: m.liquidityIndex,
    variableBorrowIndex: m.variableBorrowIndex,
    liquidityRate: m.liquidityRate,
    variableBorrowRate: m.variableBorrowRate,
    lastUpdateTimestamp: Number(m.lastUpdateTimestamp),
    availableLiquidity: (available > 0n ? available : 0n).toString(),
    totalScaledVariableDebt: m.scaledTotalVariableDebt,
    borrowCap: m.borrowCap,
    supplyCap: m.supplyCap,
    debtCeiling: m.debtCeiling,
    debtCeilingDecimals: 2,
    isolationModeTotalDebt: m.isolationModeTotalDebt,
    virtualUnderlyingBalance: '0', // v3.0 has no virtual accounting
    deficit: '0', // nor deficit tracking
    priceInMarketReferenceCurrency: m.price!,
  };
}

/**
 * A v3.0 category (a reserve belongs to at most one, by its eModeCategoryId) as math-utils' v3.2 bitmaps,
 * bit i = reserve with originalId i. v3.0 rules expressed in them: a member is collateral in the
 * category only if its own liquidation threshold is non-zero (GenericLogic: `liquidationThreshold != 0 &&
 * isUsingAsCollateral`), and a member whose own LTV is 0 adds no LTV (`if (vars.ltv != 0)`): ltvzero bit.
 */
function toMathUtilsEMode(c: RawEMode, markets: RawMarket[]) {
  const bitmap = (bit: (m: RawMarket) => boolean) => markets.map((m) => (m.eModeCategoryId === c.categoryId && bit(m) ? '1' : '0')).reverse().join('');
  return {
    id: c.categoryId,
    eMode: {
      ltv: c.ltv,
      liquidationThreshold: c.liquidationThreshold,
      liquidationBonus: c.liquidationBonus,
      label: c.label,
      isolated: false,
      collateralBitmap: bitmap((m) => m.liquidationThreshold !== '0'),
      borrowableBitmap: bitmap(() => true),
      ltvzeroBitmap: bitmap((m) => m.ltv === '0'),
    },
  };
}

/** The category's price-source price (AaveOracle.getAssetPrice(priceSource)), 0 for none. */
function eModePrice(raw: Raw, category: number): bigint {
  if (category === 0) return 0n;
  const c = raw.emodeCategories.find((e) => e.categoryId === category);
  if (!c) throw new Error(`unknown e-mode category ${category}`);
  if (lower(c.priceSource) === ZERO_ADDRESS) return 0n;
  const source = raw.markets.find((m) => m.inputToken.id === lower(c.priceSource));
  if (!source) throw new Error(`e-mode price source ${c.priceSource} is not a listed asset`);
  return BigInt(source.price!);
}

/** A decimal string times 10^(shift + scale), as an integer; throws if digits would be lost. */
function fixed(text: string, shift: number, scale: number): bigint {
  const match = /^(-?)(\d+)(?:\.(\d+))?$/.exec(text);
  if (!match) throw new Error(`not a plain decimal: ${text}`);
  const digits = shift + scale;
  const fraction = match[3] ?? '';
  if (fraction.replace(/0+$/, '').length > digits) throw new Error(`${text} has more than ${digits} decimals`);
  const value = BigInt(match[2] + fraction.padEnd(digits, '0').slice(0, digits));
  return match[1] ? -value : value;
}

function formatFixed(value: bigint, scale: number): string {
  const s = abs(value).toString().padStart(scale + 1, '0');
  return `${value < 0n ? '-' : ''}${s.slice(0, -scale)}.${s.slice(-scale)}`.replace(/\.?0+$/, '');
}

const abs = (x: bigint) => (x < 0n ? -x : x);
const ceilDiv = (a: bigint, b: bigint) => (a + b - 1n) / b;
