// A subgraph whose markets lack the family entities they link (an endpoint serving another schema,
// or a half-written deployment) is refused with a query-level error naming what is missing: the
// family sources never read the missing figures as zeros.
import { loadMarketTable } from '../../server/families/aave-v3/source';
import { loadMorphoMarkets } from '../../server/families/morpho-blue/source';
import { SubgraphError, type SubgraphClient } from '../../server/sources/subgraph-client';

function answering(data: Record<string, unknown>): SubgraphClient {
  return {
    url: 'http://unused',
    name: 'fixture',
    blockArg: (block) => `block: { number: ${block} }`,
    query: async <T>() => data as T,
    queryAll: async () => [],
  };
}

const TOKEN = { id: '0x00000000000000000000000000000000000000a1', symbol: 'USDC', name: 'USD Coin', decimals: 6 };
const PROTOCOL = { id: '0xpool', name: 'Test', slug: 'test', family: 'AAVE_V3', network: 'devnet' };

async function refusal(read: Promise<unknown>): Promise<{ code: string; message: string; endpoint: string }> {
  const err = await read.then(() => null, (e: unknown) => e);
  expect(err).toBeInstanceOf(SubgraphError);
  const { code, message, endpoint } = err as SubgraphError;
  return { code, message, endpoint };
}

describe('family sources on a subgraph missing linked entities', () => {
  it('Aave: a market without its AaveReserveState is SUBGRAPH_QUERY_FAILED, naming the market', async () => {
    const subgraph = answering({
      protocol: { ...PROTOCOL, aavePool: { scaledRounding: 'HALF_UP', revision: 1, oracle: null } },
      markets: [{ id: '0xpoolmarket', inputToken: TOKEN, decimals: 6, positionCount: 0, totalRealizedBadDebt: '0', aaveReserve: null, aaveReserveState: null }],
      emodeCategories: [],
      emodeMemberships: [],
    });
    expect(await refusal(loadMarketTable(subgraph, '0xpool', 10))).toEqual({
      code: 'SUBGRAPH_QUERY_FAILED',
      message: "Aave market 0xpoolmarket's AaveReserve is missing: the subgraph does not follow this gateway's schema",
      endpoint: 'fixture',
    });
  });

  it('Morpho: a protocol without its MorphoBlueConfig, a market without its MorphoMarketState', async () => {
    const market = { id: '0xmorphomarket', inputToken: TOKEN, totalRealizedBadDebt: '0', positionCount: 0, morphoParams: { collateralToken: null, oracle: '0x01', irm: '0x02', lltv: '1' }, morphoState: null };
    const noConfig = answering({ protocol: { ...PROTOCOL, family: 'MORPHO_BLUE', morphoBlue: null }, markets: [market] });
    expect((await refusal(loadMorphoMarkets(noConfig, '0xpool', 10))).message).toBe("Morpho protocol 0xpool's MorphoBlueConfig is missing: the subgraph does not follow this gateway's schema");
    const noState = answering({ protocol: { ...PROTOCOL, family: 'MORPHO_BLUE', morphoBlue: { feeRecipient: '0x03' } }, markets: [market] });
    expect((await refusal(loadMorphoMarkets(noState, '0xpool', 10))).message).toBe("Morpho market 0xmorphomarket's MorphoMarketState is missing: the subgraph does not follow this gateway's schema");
  });
});
