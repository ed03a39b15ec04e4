/** The Aave V3 family (every generation) as a gateway adapter. */
import { loadAccounts, loadMarketTable, type MarketTable } from '../sources/aave-v3';
import { readAaveCash, readAavePrices, withPrices } from '../sources/aave-v3-prices';
import { loadLiquidations } from '../sources/liquidations';
import { loadRealizedBadDebts } from '../sources/realized-bad-debt';
import type { AdapterInput, ProtocolAdapter, UsdPrices } from './adapter';
import { aaveAccountView, aaveProtocolView, protocolRef, type PriceLabels } from './aave-v3';

/** The market table at the pinned block, valued with the protocol's own oracle at that block (one read, kept per block). */
async function pricedTable(i: AdapterInput): Promise<{ table: MarketTable; labels: PriceLabels } | null> {
  const table = await loadMarketTable(i.client, i.protocolId, i.block.number);
  if (!table) return null;
  const prices = await i.cached(`aave-prices|${i.protocolId}|${table.protocol.oracle}`, () => readAavePrices(table, i.chain, i.block.number));
  return { table: withPrices(table, prices), labels: prices };
}

const isUsd = (baseCurrency: string | null) => baseCurrency === null || /^0x0{40}$/.test(baseCurrency);

export const aaveV3Adapter: ProtocolAdapter = {
  families: ['AAVE_V3'],
  async protocolRef(i) {
    const table = await loadMarketTable(i.client, i.protocolId, i.block.number);
    return table && protocolRef(table);
  },
  async protocolView(i) {
    const [priced, accounts] = await Promise.all([pricedTable(i), loadAccounts(i.client, i.protocolId, i.block.number)]);
    if (!priced) return null;
    // Market totals need each reserve's cash (account figures do not): read with the protocol view only.
    const cash = await i.cached(`aave-cash|${i.protocolId}`, () => readAaveCash(priced.table, i.chain, i.block.number));
    const labels = { ...priced.labels, cash: cash.byMarket, warnings: [...priced.labels.warnings, ...cash.warnings] };
    return aaveProtocolView(priced.table, labels, accounts, i.block, i.indexing);
  },
  async accountViews(i, addresses) {
    const [priced, states] = await Promise.all([pricedTable(i), loadAccounts(i.client, i.protocolId, i.block.number, addresses)]);
    if (!priced) return null;
    const byAddress = new Map(states.map((s) => [s.address, s]));
    return addresses.map((a) => aaveAccountView(priced.table, priced.labels, byAddress.get(a)!, i.block, i.indexing));
  },
  realizedBadDebts: (i) => loadRealizedBadDebts(i.client, i.protocolId, i.block.number),
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
