import { replayRecording, startReplayGateway } from '../support/replay-gateway';
import { formatUnits } from '../../server/metrics/decimal';
import { gql } from '../support/gateway-client';

/**
 * Market.details over the recorded Aave V3.0 devnet (a real gateway on recorded subgraph answers):
 * each market's details are its family's own type, with the reserve configuration the subgraph
 * recorded (bps as fractions, caps in whole tokens, 0 = none as null), and no other family's type.
 */

let stop: () => Promise<void>;
let url: string;
beforeAll(async () => {
  ({ url, stop } = await startReplayGateway());
});
afterAll(() => stop());

const ask = (query: string) => gql<any>(url, query);

const AAVE = 'ltv liquidationThreshold liquidationBonus reserveFactor liquidationProtocolFee supplyCap borrowCap debtCeilingUSD eModeCategory borrowingEnabled borrowableInIsolation isActive isFrozen isPaused totalDeficitCreated totalDeficitCovered';

describe('Market.details', () => {
  it("is the family's own type with the recorded reserve configuration", async () => {
    const { data, errors } = await ask(`{ protocols { family markets { id details { __typename family ... on AaveV3ReserveDetails { ${AAVE} } ... on MorphoBlueMarketDetails { lltv } } } } }`);
    expect(errors).toBeUndefined();
    // A recorded market embeds its reserve's configuration and accounting (subgraph AaveReserve, AaveReserveState).
    const recorded = (replayRecording.base.rows.Market as Record<string, any>[]).map((m) => ({ ...m, ...m.aaveReserve, ...m.aaveReserveState }));
    const markets = data.protocols.flatMap((p: any) => p.markets.map((m: any) => ({ family: p.family, ...m })));
    expect(markets.map((m: any) => m.id).sort()).toEqual(recorded.map((r) => r.id).sort());
    for (const m of markets) {
      const r = recorded.find((x) => x.id === m.id)!;
      const bps = (v: string) => formatUnits(BigInt(v), 4);
      const cap = (v: string) => (v === '0' ? null : v);
      expect({ id: m.id, ...m.details }).toEqual({
        id: m.id,
        __typename: 'AaveV3ReserveDetails',
        family: m.family,
        ltv: bps(r.ltv),
        liquidationThreshold: bps(r.liquidationThreshold),
        liquidationBonus: bps(r.liquidationBonus),
        reserveFactor: bps(r.reserveFactor),
        liquidationProtocolFee: bps(r.liquidationProtocolFee),
        supplyCap: cap(r.supplyCap),
        borrowCap: cap(r.borrowCap),
        // ReserveConfiguration.DEBT_CEILING_DECIMALS = 2
        debtCeilingUSD: r.debtCeiling === '0' ? null : formatUnits(BigInt(r.debtCeiling), 2),
        eModeCategory: r.eModeCategoryId,
        borrowingEnabled: r.borrowingEnabled,
        borrowableInIsolation: r.borrowableInIsolation,
        isActive: r.isActive,
        isFrozen: r.isFrozen,
        isPaused: r.isPaused,
        totalDeficitCreated: formatUnits(BigInt(r.totalRealizedBadDebt), r.decimals),
        totalDeficitCovered: formatUnits(BigInt(r.totalDeficitCovered), r.decimals),
      });
    }
  });

  it('no longer answers family fields on the core Market type', async () => {
    const { errors } = await ask('{ protocols { markets { ltv } } }');
    expect(errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
  });
});
