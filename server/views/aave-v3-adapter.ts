/** The Aave V3 family (every generation) as a gateway adapter. */
import { loadAccounts, loadMarketTable } from '../sources/aave-v3';
import { loadLiquidations } from '../sources/liquidations';
import { loadRealizedBadDebts } from '../sources/realized-bad-debt';
import type { ProtocolAdapter } from './adapter';
import { aaveAccountView, aaveProtocolView, protocolRef } from './aave-v3';

export const aaveV3Adapter: ProtocolAdapter = {
  families: ['AAVE_V3'],
  async protocolRef(i) {
    const table = await loadMarketTable(i.client, i.protocolId, i.block.number);
    return table && protocolRef(table);
  },
  async protocolView(i) {
    const [table, accounts] = await Promise.all([loadMarketTable(i.client, i.protocolId, i.block.number), loadAccounts(i.client, i.protocolId, i.block.number)]);
    return table && aaveProtocolView(table, accounts, i.block, i.indexing);
  },
  async accountViews(i, addresses) {
    const [table, states] = await Promise.all([loadMarketTable(i.client, i.protocolId, i.block.number), loadAccounts(i.client, i.protocolId, i.block.number, addresses)]);
    if (!table) return null;
    const byAddress = new Map(states.map((s) => [s.address, s]));
    return addresses.map((a) => aaveAccountView(table, byAddress.get(a)!, i.block, i.indexing));
  },
  realizedBadDebts: (i) => loadRealizedBadDebts(i.client, i.protocolId, i.block.number),
  liquidations: (i, fromBlock) => loadLiquidations(i.client, i.protocolId, fromBlock, i.block.number),
};
