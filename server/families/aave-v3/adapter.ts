/** The Aave V3 family (every generation) as a gateway adapter. */
import type { AaveAccountState, AavePositionState } from './account';
import { loadAccountChanges, loadAccounts, loadCoveredDeficits, loadMarketTable, loadOpenAccountRows, type AavePositionRow, type MarketTable } from './source';
import { readAaveCash, readAavePrices, withPrices } from './prices';
import { loadLiquidations } from '../../sources/liquidations';
import { loadRealizedBadDebts } from '../../sources/realized-bad-debt';
import { allocateCoverageOldestFirst } from '../../metrics/realized';
import { AccountBook } from '../../views/account-book';
import { viewFromScratch, type AdapterInput, type Follower, type ProtocolAdapter, type UsdPrices } from '../../views/adapter';
import { aaveAccountView, aaveProtocolView, protocolRef, type PriceLabels } from './view';
import { aaveStressedViews } from './stress';

/** The protocol, its markets and e-mode categories at the pinned block (one read per block). */
const marketTable = (i: AdapterInput) => i.cached(`aave-table|${i.protocolId}`, () => loadMarketTable(i.client, i.protocolId, i.block.number));

/** The market table at the pinned block, valued with the protocol's own oracle at that block (one read, kept per block). */
async function pricedTable(i: AdapterInput): Promise<{ table: MarketTable; labels: PriceLabels } | null> {
  const table = await marketTable(i);
  if (!table) return null;
  const prices = await i.cached(`aave-prices|${i.protocolId}|${table.protocol.oracle}`, () => readAavePrices(table, i.chain, i.block.number));
  return { table: withPrices(table, prices), labels: prices };
}

/** Open positions by account, and the e-mode of every account whose e-mode the follower has seen. */
class AaveAccounts {
  readonly eModes = new Map<string, number>();
  readonly book = new AccountBook<AavePositionState, AaveAccountState>((address) => ({ address, eModeCategoryId: this.eModes.get(address) ?? 0, positions: [] }));
  get size() {
    return this.book.size;
  }
  /** E-modes first, so an account a position row creates starts in its category. */
  apply(rows: { positions: AavePositionRow[]; eModes: Map<string, number> }): void {
    for (const [address, id] of rows.eModes) {
      if (id === 0) this.eModes.delete(address);
      else this.eModes.set(address, id);
      const account = this.book.get(address);
      if (account) account.eModeCategoryId = id;
    }
    this.book.apply(rows.positions);
  }
}

/** From scratch at a block, or moved forward by the rows that changed since: the same state either way. */
const aaveFollower: Follower<AaveAccounts> = {
  async load(i) {
    const table = await marketTable(i);
    if (!table) return null;
    const state = new AaveAccounts();
    // Prices and cash side by side with the positions (see advance).
    const [rows] = await Promise.all([loadOpenAccountRows(i.client, i.protocolId, i.block.number, table.markets), pricedWithCash(i)]);
    state.apply(rows);
    return state;
  },
  async advance(state, i, since) {
    // The block's market table, prices and cash are read side by side with the changes (kept per
    // block, the view then finds them): a head update waits for one round of reads, not four.
    const [changes] = await Promise.all([loadAccountChanges(i.client, i.protocolId, since, i.block.number), pricedWithCash(i)]);
    state.apply(changes);
  },
  async view(state, i) {
    const priced = await pricedWithCash(i);
    return priced && aaveProtocolView(priced.table, priced.labels, state.book, i.block, i.indexing);
  },
};

/** The priced table with each reserve's cash: market totals need it (account figures do not), so only protocol views read it. */
async function pricedWithCash(i: AdapterInput): Promise<{ table: MarketTable; labels: PriceLabels } | null> {
  const table = await marketTable(i);
  if (!table) return null;
  const [priced, cash] = await Promise.all([pricedTable(i), i.cached(`aave-cash|${i.protocolId}`, () => readAaveCash(table, i.chain, i.block.number))]);
  if (!priced) return null;
  return { table: priced.table, labels: { ...priced.labels, cash: cash.byMarket, warnings: [...priced.labels.warnings, ...cash.warnings] } };
}

const isUsd = (baseCurrency: string | null) => baseCurrency === null || /^0x0{40}$/.test(baseCurrency);

export const aaveV3Adapter: ProtocolAdapter = {
  families: ['AAVE_V3'],
  async protocolRef(i) {
    const table = await marketTable(i);
    return table && protocolRef(table);
  },
  protocolView: (i) => viewFromScratch(aaveFollower, i),
  follow: aaveFollower,
  async accountViews(i, addresses) {
    const [priced, states] = await Promise.all([pricedTable(i), loadAccounts(i.client, i.protocolId, i.block.number, addresses)]);
    if (!priced) return null;
    const byAddress = new Map(states.map((s) => [s.address, s]));
    return addresses.map((a) => aaveAccountView(priced.table, priced.labels, byAddress.get(a)!, i.block, i.indexing));
  },
  // Research: the same view with shocked oracle prices (aave-v3-stress.ts).
  async stressedViews(i, scenarios, timestamp) {
    const [priced, state] = await Promise.all([pricedWithCash(i), aaveFollower.load(i)]);
    return priced && state && aaveStressedViews(priced.table, priced.labels, state.book, { block: i.block, indexing: i.indexing, timestamp }, scenarios);
  },
  // Aave books a write-off as a reserve deficit; what DeficitCovered eliminated since is covered
  // (allocated oldest first per market), the rest is still a deficit. Aave never socializes.
  async realizedBadDebts(i) {
    const [events, covered] = await Promise.all([loadRealizedBadDebts(i.client, i.protocolId, i.block.number), loadCoveredDeficits(i.client, i.protocolId, i.block.number)]);
    const absorbed = allocateCoverageOldestFirst(events.map((e) => e.fact), covered);
    return events.map((e, k) => ({ ...e, absorbed: absorbed[k] }));
  },
  liquidations: (i, fromBlock) => loadLiquidations(i.client, i.protocolId, fromBlock, i.block.number),
  // Aave's oracle quotes USD on USD markets (base currency address(0)): other families value their tokens with it.
  async usdPrices(i): Promise<UsdPrices | null> {
    const priced = await pricedTable(i);
    if (!priced || !isUsd(priced.table.protocol.baseCurrency)) return null;
    const { table, labels } = priced;
    const decimals = table.protocol.baseCurrencyUnit.toString().length - 1;
    const out: UsdPrices = new Map();
    for (const m of table.markets) if (m.price !== null) out.set(m.asset, { price: m.price, decimals, pricing: labels.pricing.get(m.id)! });
    return out;
  },
};
