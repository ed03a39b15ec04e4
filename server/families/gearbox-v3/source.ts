/**
 * Reads a Gearbox V3 protocol's indexed state at one block (subgraph/gearbox-v3.yaml): the pool
 * (GearboxPool: totals, treasury shares, losses), its credit managers and collateral tokens, quota
 * tokens, open credit accounts with principal and token balances (CreditAccountBalance), and the
 * loss rows (GearboxLoss). Every list is paged to its end. Values nothing.
 */
import type { SubgraphClient } from '../../sources/subgraph-client';

export interface TokenInfo {
  address: string;
  symbol: string | null;
  name: string | null;
  decimals: number;
}

interface RawToken {
  id: string;
  symbol: string | null;
  name: string | null;
  decimals: number;
}
const TOKEN = 'id symbol name decimals';
export const token = (t: RawToken): TokenInfo => ({ address: t.id.toLowerCase(), symbol: t.symbol, name: t.name, decimals: t.decimals });
const big = (v: string | null | undefined) => BigInt(v ?? 0);
const opt = (v: string | null | undefined) => (v == null ? null : BigInt(v));

export interface GearboxProtocolInfo {
  id: string;
  name: string;
  slug: string;
  family: string;
  network: string;
}

export interface CreditManagerRow {
  id: string;
  creditFacade: string | null;
  debtLimit: bigint | null;
  totalBorrowed: bigint;
  minDebt: bigint | null;
  maxDebt: bigint | null;
  openCreditAccountCount: number;
  collateralTokens: { token: TokenInfo; liquidationThreshold: number | null; allowed: boolean }[];
}

export interface QuotaTokenRow {
  token: TokenInfo;
  limit: bigint;
  totalQuoted: bigint;
  rate: number;
  quotaIncreaseFee: number;
  minRate: number | null;
  maxRate: number | null;
}

export interface GearboxPoolRow {
  id: string;
  marketId: string;
  underlying: TokenInfo;
  treasury: string;
  totalSupply: bigint;
  treasuryShares: bigint;
  totalBorrowed: bigint;
  availableLiquidity: bigint;
  totalProfit: bigint;
  totalLoss: bigint;
  totalCoveredLoss: bigint;
  totalCoveredShares: bigint;
  totalUncoveredLoss: bigint;
  lossCount: number;
  creditManagers: CreditManagerRow[];
  quotaTokens: QuotaTokenRow[];
}

export interface CreditAccountRow {
  address: string;
  creditManager: string;
  owner: string;
  principalDebt: bigint;
  openedAtBlock: number;
  liquidationCount: number;
  /** token (lowercase) -> balance (CreditAccountBalance) */
  balances: Map<string, bigint>;
  tokens: Map<string, TokenInfo>;
}

export interface GearboxState {
  protocol: GearboxProtocolInfo;
  pool: GearboxPoolRow;
}

const POOL_FIELDS = `id market { id } underlying { ${TOKEN} } treasury totalSupply treasuryShares totalBorrowed availableLiquidity
  totalProfit totalLoss totalCoveredLoss totalCoveredShares totalUncoveredLoss lossCount`;

type RawPool = Record<string, string> & { id: string; market: { id: string }; underlying: RawToken; lossCount: number };

/** The protocol and its pool with managers, collateral and quota tokens at `block`; null before it existed. */
export async function loadGearboxState(subgraph: SubgraphClient, protocolId: string, block: number): Promise<GearboxState | null> {
  const data = await subgraph.query<{ protocol: GearboxProtocolInfo | null; gearboxPools: RawPool[] }>(
    `query($id: ID!) {
      protocol(id: $id, ${subgraph.blockArg(block)}) { id name slug family network }
      gearboxPools(where: { protocol: $id }, ${subgraph.blockArg(block)}) { ${POOL_FIELDS} }
    }`,
    { id: protocolId },
  );
  if (!data.protocol || data.gearboxPools.length === 0) return null;
  const p = data.gearboxPools[0];
  const [managers, collaterals, quotas] = await Promise.all([
    subgraph.queryAll<Record<string, string | null> & { id: string; openCreditAccountCount: number }>({
      collection: 'creditManagers',
      fields: 'creditFacade debtLimit totalBorrowed minDebt maxDebt openCreditAccountCount',
      where: { pool: p.id },
      block,
    }),
    subgraph.queryAll<{ id: string; creditManager: { id: string }; token: RawToken; liquidationThreshold: number | null; allowed: boolean }>({
      collection: 'collateralTokens',
      fields: `creditManager { id } token { ${TOKEN} } liquidationThreshold allowed`,
      where: { creditManager_: { pool: p.id } },
      block,
    }),
    subgraph.queryAll<{ id: string; token: RawToken; limit: string; totalQuoted: string; rate: number; quotaIncreaseFee: number; minRate: number | null; maxRate: number | null }>({
      collection: 'quotaTokens',
      fields: `token { ${TOKEN} } limit totalQuoted rate quotaIncreaseFee minRate maxRate`,
      where: { pool: p.id },
      block,
    }),
  ]);
  return {
    protocol: data.protocol,
    pool: {
      id: p.id.toLowerCase(),
      marketId: p.market.id,
      underlying: token(p.underlying),
      treasury: p.treasury.toLowerCase(),
      totalSupply: big(p.totalSupply),
      treasuryShares: big(p.treasuryShares),
      totalBorrowed: big(p.totalBorrowed),
      availableLiquidity: big(p.availableLiquidity),
      totalProfit: big(p.totalProfit),
      totalLoss: big(p.totalLoss),
      totalCoveredLoss: big(p.totalCoveredLoss),
      totalCoveredShares: big(p.totalCoveredShares),
      totalUncoveredLoss: big(p.totalUncoveredLoss),
      lossCount: p.lossCount,
      creditManagers: managers.map((m) => ({
        id: m.id.toLowerCase(),
        creditFacade: m.creditFacade?.toLowerCase() ?? null,
        debtLimit: opt(m.debtLimit),
        totalBorrowed: big(m.totalBorrowed),
        minDebt: opt(m.minDebt),
        maxDebt: opt(m.maxDebt),
        openCreditAccountCount: m.openCreditAccountCount,
        collateralTokens: collaterals
          .filter((c) => c.creditManager.id.toLowerCase() === m.id.toLowerCase())
          .map((c) => ({ token: token(c.token), liquidationThreshold: c.liquidationThreshold, allowed: c.allowed })),
      })),
      quotaTokens: quotas.map((q) => ({ token: token(q.token), limit: big(q.limit), totalQuoted: big(q.totalQuoted), rate: q.rate, quotaIncreaseFee: q.quotaIncreaseFee, minRate: q.minRate, maxRate: q.maxRate })),
    },
  };
}

/** Open credit accounts of the pool at `block` (all, or the `addresses` among them), with their token balances. */
export async function loadCreditAccounts(subgraph: SubgraphClient, poolId: string, block: number, addresses?: string[]): Promise<CreditAccountRow[]> {
  const scope = addresses ? { id_in: addresses } : {};
  const [accounts, balances] = await Promise.all([
    subgraph.queryAll<{ id: string; creditManager: { id: string }; owner: string; principalDebt: string; openedAtBlock: string; liquidationCount: number }>({
      collection: 'creditAccounts',
      fields: 'creditManager { id } owner principalDebt openedAtBlock liquidationCount',
      where: { open: true, creditManager_: { pool: poolId }, ...scope },
      block,
    }),
    subgraph.queryAll<{ id: string; creditAccount: { id: string }; token: RawToken; balance: string }>({
      collection: 'creditAccountBalances',
      fields: `creditAccount { id } token { ${TOKEN} } balance`,
      where: { balance_gt: '0', creditAccount_: { open: true, ...scope } },
      block,
    }),
  ]);
  const rows = new Map<string, CreditAccountRow>(
    accounts.map((a) => [
      a.id.toLowerCase(),
      {
        address: a.id.toLowerCase(),
        creditManager: a.creditManager.id.toLowerCase(),
        owner: a.owner.toLowerCase(),
        principalDebt: big(a.principalDebt),
        openedAtBlock: Number(a.openedAtBlock),
        liquidationCount: a.liquidationCount,
        balances: new Map(),
        tokens: new Map(),
      },
    ]),
  );
  for (const b of balances) {
    const row = rows.get(b.creditAccount.id.toLowerCase());
    if (!row) continue; // another pool's account
    const t = token(b.token);
    row.balances.set(t.address, big(b.balance));
    row.tokens.set(t.address, t);
  }
  return [...rows.values()];
}

export interface GearboxLossRow {
  id: string;
  creditManager: string;
  creditAccount: string | null;
  blockNumber: number;
  timestamp: number;
  txHash: string;
  realizedBadDebtId: string;
  socializedLossId: string | null;
  loss: bigint;
  coveredAssets: bigint;
  coveredShares: bigint;
  uncoveredLoss: bigint;
  treasurySharesBefore: bigint;
  treasurySharesAfter: bigint;
  expectedLiquidityBefore: bigint;
  expectedLiquidityAfter: bigint;
  totalSupplyBefore: bigint;
  totalSupplyAfter: bigint;
  sharePriceBefore: bigint | null;
  sharePriceAfter: bigint | null;
}

/** Every realized loss of the pool up to `block` (GearboxLoss: the split of each Repay with loss > 0). */
export async function loadGearboxLosses(subgraph: SubgraphClient, poolId: string, block: number): Promise<GearboxLossRow[]> {
  const raw = await subgraph.queryAll<Record<string, string | null> & { id: string; creditManager: { id: string }; creditAccount: { id: string } | null; realizedBadDebt: { id: string }; socializedLoss: { id: string } | null }>({
    collection: 'gearboxLosses',
    fields: `creditManager { id } creditAccount { id } blockNumber timestamp txHash realizedBadDebt { id } socializedLoss { id } loss coveredAssets coveredShares uncoveredLoss
      treasurySharesBefore treasurySharesAfter expectedLiquidityBefore expectedLiquidityAfter totalSupplyBefore totalSupplyAfter sharePriceBefore sharePriceAfter`,
    where: { pool: poolId },
    block,
  });
  return raw.map((l) => ({
    id: l.id,
    creditManager: l.creditManager.id.toLowerCase(),
    creditAccount: l.creditAccount?.id.toLowerCase() ?? null,
    blockNumber: Number(l.blockNumber),
    timestamp: Number(l.timestamp),
    txHash: l.txHash!,
    realizedBadDebtId: l.realizedBadDebt.id,
    socializedLossId: l.socializedLoss?.id ?? null,
    loss: big(l.loss),
    coveredAssets: big(l.coveredAssets),
    coveredShares: big(l.coveredShares),
    uncoveredLoss: big(l.uncoveredLoss),
    treasurySharesBefore: big(l.treasurySharesBefore),
    treasurySharesAfter: big(l.treasurySharesAfter),
    expectedLiquidityBefore: big(l.expectedLiquidityBefore),
    expectedLiquidityAfter: big(l.expectedLiquidityAfter),
    totalSupplyBefore: big(l.totalSupplyBefore),
    totalSupplyAfter: big(l.totalSupplyAfter),
    sharePriceBefore: opt(l.sharePriceBefore),
    sharePriceAfter: opt(l.sharePriceAfter),
  }));
}

/** Credit accounts of the pool whose row or balances changed in (since, block] (closed ones included). */
export async function changedCreditAccounts(subgraph: SubgraphClient, poolId: string, since: number, block: number): Promise<string[]> {
  const changed = { _change_block: { number_gte: since + 1 } };
  const [accounts, balances] = await Promise.all([
    subgraph.queryAll<{ id: string }>({ collection: 'creditAccounts', fields: '', where: { creditManager_: { pool: poolId }, ...changed }, block }),
    subgraph.queryAll<{ id: string; creditAccount: { id: string } }>({ collection: 'creditAccountBalances', fields: 'creditAccount { id }', where: changed, block }),
  ]);
  return [...new Set([...accounts.map((a) => a.id.toLowerCase()), ...balances.map((b) => b.creditAccount.id.toLowerCase())])];
}

/** Every token the pool's health reads a price of: the underlying, the managers' collateral and the quota tokens. */
export function tokensOf(s: GearboxState) {
  const all = new Map([[s.pool.underlying.address, s.pool.underlying]]);
  for (const m of s.pool.creditManagers) for (const c of m.collateralTokens) all.set(c.token.address, c.token);
  for (const q of s.pool.quotaTokens) all.set(q.token.address, q.token);
  return [...all.values()];
}
