/**
 * The Gearbox V3 family as a gateway adapter: the subgraph's pool, credit accounts and balances,
 * the chain reads health needs at the pinned block (./chain.ts), the math of
 * CreditManagerV3.calcDebtAndCollateral (./math.ts), and the loss waterfall from GearboxLoss.
 */
import { LIQUIDATION_FIELDS, liquidationRow, type LiquidationRow, type RawLiquidation } from '../../sources/liquidations';
import type { RawRealized, RealizedRow } from '../../sources/realized-bad-debt';
import { viewFromScratch, type AdapterInput, type FollowedState, type Follower, type ProtocolAdapter, type SocializedLossRow } from '../../views/adapter';
import { CREDIT_MANAGER_ABI, PRICE_ORACLE_ABI, readAccountsChain, readPoolChain, requireChain } from './chain';
import { RAY } from './math';
import { changedCreditAccounts, loadCreditAccounts, loadGearboxLosses, loadGearboxState, tokensOf, type CreditAccountRow, type GearboxLossRow, type GearboxState } from './source';
import { gearboxStressedViews } from './stress';
import { gearboxAccountView, gearboxProtocolView, gearboxRef, type GearboxAccountInput, type GearboxInputs } from './view';

const stateAt = (i: AdapterInput) => i.cached(`gearbox-state|${i.protocolId}`, () => loadGearboxState(i.client, i.protocolId, i.block.number));

async function inputsAt(i: AdapterInput): Promise<GearboxInputs | null> {
  const state = await stateAt(i);
  if (!state) return null;
  const chain = requireChain(i.chain);
  const pool = await i.cached(`gearbox-chain|${i.protocolId}`, () =>
    readPoolChain(
      chain,
      {
        pool: state.pool.id,
        underlying: state.pool.underlying,
        quotaTokens: state.pool.quotaTokens.map((q) => q.token.address),
        tokens: tokensOf(state),
        managers: state.pool.creditManagers.map((m) => ({ address: m.id, collateralTokens: m.collateralTokens.map((c) => c.token.address) })),
      },
      i.block.number,
    ),
  );
  const warnings = [
    ...tokensOf(state)
      .filter((t) => !pool.prices.has(t.address))
      .map((t) => `${state.protocol.slug}: PriceOracleV3.getPrice(${t.symbol ?? t.address}) could not be read at block ${i.block.number}; an account holding it cannot be valued`),
    ...tokensOf(state)
      .filter((t) => pool.staleFeeds.has(t.address))
      .map((t) => `${state.protocol.slug}: PriceOracleV3.getPrice(${t.symbol ?? t.address}) reverts at block ${i.block.number} (stale feed); valued at its feed's last answer (latestRoundData), where Gearbox itself would refuse to value or liquidate`),
  ];
  return { state, chain: pool, block: i.block, indexing: i.indexing, warnings };
}

async function accountInputs(i: AdapterInput, inputs: GearboxInputs, rows: CreditAccountRow[]): Promise<GearboxAccountInput[]> {
  const quoted = inputs.state.pool.quotaTokens.map((q) => q.token.address);
  const chain = await readAccountsChain(requireChain(i.chain), inputs.chain.quotaKeeper, rows.map((r) => ({ address: r.address, creditManager: r.creditManager, quotedTokens: quoted })), i.block.number);
  return rows.map((row) => ({ row, chain: chain.get(row.address)! }));
}

/**
 * The pool's PriceOracleV3 (its first credit manager's) at the pinned block: event rows need no
 * other pinned-block read, so they are served even when a feed is stale at that block.
 */
async function oracleAt(i: AdapterInput, state: GearboxState): Promise<string> {
  const cm = state.pool.creditManagers[0]?.id;
  if (!cm) return '';
  return i.cached(`gearbox-oracle|${i.protocolId}`, async () => {
    const [r] = await requireChain(i.chain).readAll([{ address: cm, abi: CREDIT_MANAGER_ABI, functionName: 'priceOracle' }], i.block.number);
    return r.ok ? String(r.value).toLowerCase() : '';
  });
}

/** PriceOracleV3.getPrice(underlying) at each block (USD, 8 decimals), one multicall per block; null where it cannot be read. */
async function underlyingPrices(i: AdapterInput, state: GearboxState, blocks: number[]): Promise<Map<number, bigint | null>> {
  const chain = requireChain(i.chain);
  const underlying = state.pool.underlying.address;
  const oracle = await oracleAt(i, state);
  const out = new Map<number, bigint | null>();
  await Promise.all(
    [...new Set(blocks)].map(async (b) => {
      const price = await i.cached(`gearbox-price|${i.protocolId}|${b}`, async () => {
        const [r] = await chain.readAll([{ address: oracle, abi: PRICE_ORACLE_ABI, functionName: 'getPrice', args: [underlying] }], b);
        return r.ok ? (r.value as bigint) : null;
      });
      out.set(b, price);
    }),
  );
  return out;
}


/** The subgraph's Gearbox rows carry no prices: each is priced with the oracle at its own block (ORACLE_CALL). */
const priced = (l: RawLiquidation, price: bigint | null): LiquidationRow => liquidationRow({ ...l, debtPrice: price === null ? null : String(price), collateralPrice: price === null ? null : String(price) });

async function lossContext(i: AdapterInput) {
  const state = await stateAt(i);
  if (!state) return null;
  const [realized, losses] = await Promise.all([
    i.client.queryAll<Omit<RawRealized, 'price'>>({
      collection: 'realizedBadDebts',
      fields: `kind blockNumber logIndex timestamp txHash account { id } amount market { id decimals inputToken { id symbol name } } liquidation { id ${LIQUIDATION_FIELDS} }`,
      where: { protocol: i.protocolId },
      block: i.block.number,
    }),
    loadGearboxLosses(i.client, state.pool.id, i.block.number),
  ]);
  const prices = await underlyingPrices(i, state, realized.map((r) => Number(r.blockNumber)));
  realized.sort((a, b) => Number(b.blockNumber) - Number(a.blockNumber) || Number(b.logIndex) - Number(a.logIndex));
  return { realized, losses: new Map<string, GearboxLossRow>(losses.map((l) => [l.realizedBadDebtId, l])), prices };
}

async function realizedRows(i: AdapterInput): Promise<RealizedRow[]> {
  const c = await lossContext(i);
  if (!c) return [];
  return c.realized.map((r) => {
    const price = c.prices.get(Number(r.blockNumber)) ?? null;
    const loss = c.losses.get(r.id);
    return {
      fact: { id: r.id, marketId: r.market.id, block: Number(r.blockNumber), timestamp: Number(r.timestamp), amount: BigInt(r.amount), price, decimals: r.market.decimals },
      kind: r.kind,
      txHash: r.txHash,
      account: r.account.id,
      asset: { address: r.market.inputToken.id, symbol: r.market.inputToken.symbol, name: r.market.inputToken.name, decimals: r.market.decimals },
      liquidation: r.liquidation ? priced(r.liquidation, price) : null,
      // PoolV3.repayCreditAccount: the treasury's shares pay first (covered), IncurUncoveredLoss the rest (socialized).
      absorbed: { covered: loss?.coveredAssets ?? 0n, socialized: loss?.uncoveredLoss ?? 0n },
    };
  });
}

async function socializedRows(i: AdapterInput): Promise<SocializedLossRow[]> {
  const c = await lossContext(i);
  if (!c) return [];
  const rows: SocializedLossRow[] = [];
  for (const r of c.realized) {
    const l = c.losses.get(r.id);
    if (!l || l.uncoveredLoss === 0n || !l.socializedLossId) continue;
    const decimals = r.market.decimals;
    rows.push({
      id: l.socializedLossId,
      fact: { id: r.id, marketId: r.market.id, block: l.blockNumber, timestamp: l.timestamp, amount: l.uncoveredLoss, price: c.prices.get(l.blockNumber) ?? null, decimals },
      kind: r.kind,
      txHash: l.txHash,
      account: r.account.id,
      asset: { address: r.market.inputToken.id, symbol: r.market.inputToken.symbol, name: r.market.inputToken.name, decimals },
      liquidationId: r.liquidation?.id ?? '',
      // Gearbox burns no depositor shares: the uncovered loss lowers expected liquidity, hence every share's price.
      badDebtShares: 0n,
      totalSupplyAssetsBefore: l.expectedLiquidityBefore,
      totalSupplyAssetsAfter: l.expectedLiquidityAfter,
      totalSupplyShares: l.totalSupplyAfter,
      lossPerShare: l.totalSupplyAfter === 0n ? null : (l.uncoveredLoss * RAY * 10n ** 9n) / l.totalSupplyAfter,
    });
  }
  return rows;
}

async function liquidationRows(i: AdapterInput, fromBlock: number): Promise<LiquidationRow[]> {
  const state = await stateAt(i);
  if (!state) return [];
  const raw = await i.client.queryAll<RawLiquidation & { id: string }>({
    collection: 'liquidations',
    fields: LIQUIDATION_FIELDS,
    where: { protocol: i.protocolId, blockNumber_gte: String(fromBlock), blockNumber_lte: String(i.block.number) },
    block: i.block.number,
  });
  const prices = await underlyingPrices(i, state, raw.map((l) => Number(l.blockNumber)));
  return raw
    .sort((a, b) => Number(b.blockNumber) - Number(a.blockNumber) || Number(b.logIndex) - Number(a.logIndex))
    .map((l) => priced(l, prices.get(Number(l.blockNumber)) ?? null));
}

/** An address that is no open credit account of the pool: no debt, no collateral. */
function emptyAccount(address: string, creditManager: string): GearboxAccountInput {
  return {
    row: { address, creditManager, owner: '', principalDebt: 0n, openedAtBlock: 0, liquidationCount: 0, balances: new Map(), tokens: new Map() },
    chain: { info: { debt: 0n, cumulativeIndexLastUpdate: 0n, cumulativeQuotaInterest: 1n, quotaFees: 0n, enabledTokensMask: 0n, borrower: '' }, quotas: new Map() },
  };
}

/** The pool's open credit accounts with their balances, by address. */
class CreditAccountBook implements FollowedState {
  readonly accounts = new Map<string, CreditAccountRow>();
  set(rows: CreditAccountRow[], reread: string[] = []): void {
    for (const a of reread) this.accounts.delete(a);
    for (const r of rows) this.accounts.set(r.address, r);
  }
  get size() {
    let positions = 0;
    for (const a of this.accounts.values()) positions += a.balances.size + (a.principalDebt > 0n ? 1 : 0);
    return { accounts: this.accounts.size, positions };
  }
}

/** From scratch at a block, or moved forward by re-reading the accounts whose row or balances changed since: the same book. */
const gearboxFollower: Follower<CreditAccountBook> = {
  async load(i) {
    const state = await stateAt(i);
    if (!state) return null;
    const book = new CreditAccountBook();
    book.set(await loadCreditAccounts(i.client, state.pool.id, i.block.number));
    return book;
  },
  async advance(book, i, since) {
    const state = await stateAt(i);
    if (!state) return;
    const changed = await changedCreditAccounts(i.client, state.pool.id, since, i.block.number);
    if (changed.length > 0) book.set(await loadCreditAccounts(i.client, state.pool.id, i.block.number, changed), changed);
  },
  async view(book, i) {
    const inputs = await inputsAt(i);
    return inputs && gearboxProtocolView(inputs, await accountInputs(i, inputs, [...book.accounts.values()]));
  },
};

export const gearboxV3Adapter: ProtocolAdapter = {
  families: ['GEARBOX_V3'],
  async protocolRef(i) {
    const s = await stateAt(i);
    return s && gearboxRef(s);
  },
  protocolView: (i) => viewFromScratch(gearboxFollower, i),
  follow: gearboxFollower,
  async accountViews(i, addresses) {
    const inputs = await inputsAt(i);
    if (!inputs) return null;
    const lower = addresses.map((a) => a.toLowerCase());
    const rows = await loadCreditAccounts(i.client, inputs.state.pool.id, i.block.number, lower);
    const byAddress = new Map((await accountInputs(i, inputs, rows)).map((a) => [a.row.address, a]));
    const anyManager = inputs.state.pool.creditManagers[0]?.id ?? '';
    return lower.map((a) => gearboxAccountView(inputs, byAddress.get(a) ?? emptyAccount(a, anyManager)));
  },
  realizedBadDebts: realizedRows,
  liquidations: liquidationRows,
  socializedLosses: socializedRows,
  // Research: the same view with shocked PriceOracleV3 prices, interest accrued to `timestamp` (./stress.ts).
  async stressedViews(i, scenarios, timestamp) {
    const [inputs, book] = await Promise.all([inputsAt(i), gearboxFollower.load(i)]);
    if (!inputs || !book) return null;
    return gearboxStressedViews(inputs, await accountInputs(i, inputs, [...book.accounts.values()]), scenarios, timestamp);
  },
};
