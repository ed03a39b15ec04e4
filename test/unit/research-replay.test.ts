import { startReplayGateway } from '../support/replay-gateway';

/**
 * stress and liquidationCurve over the recorded Aave V3.0 devnet (50 accounts, no RPC: indexed
 * prices), through the real gateway: a zero shock equals the plain figures; bad input is refused
 * with stable codes.
 */

let stop: () => Promise<void>;
let url: string;
beforeAll(async () => {
  const started = await startReplayGateway();
  url = started.url;
  stop = started.stop;
});
afterAll(() => stop());

const ask = async (query: string) =>
  (await (await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query }) })).json()) as { data?: any; errors?: { message: string; extensions: { code: string } }[] };
const FIGURES = 'borrowers liquidatableAccounts insolventAccounts liquidatableDebtUSD latentBadDebtUSD';

async function protocolAndAssets() {
  const { data } = await ask(`{ protocols { id borrowerCount liquidatableAccounts insolventAccounts liquidatableDebtUSD latentBadDebtUSD markets { id asset { address } borrowerCount liquidatableAccounts insolventAccounts liquidatableDebtUSD latentBadDebtUSD } } }`);
  return data.protocols[0];
}

describe('stress over the replay', () => {
  it('a zero shock (and no shock) equals the plain figures, protocol-wide and per market', async () => {
    const p = await protocolAndAssets();
    const shocks = p.markets.map((m: any) => `{ asset: "${m.asset.address}", change: "0" }`).join(', ');
    for (const list of [`[${shocks}]`, '[]']) {
      const { data, errors } = await ask(`{ stress(protocol: "${p.id}", shocks: ${list}) { newlyLiquidatableAccounts newlyInsolventAccounts projectedBadDebtUSD before { ${FIGURES} } after { ${FIGURES} } markets { id before { ${FIGURES} } after { ${FIGURES} } } } }`);
      expect(errors).toBeUndefined();
      const plain = { borrowers: p.borrowerCount, liquidatableAccounts: p.liquidatableAccounts, insolventAccounts: p.insolventAccounts, liquidatableDebtUSD: p.liquidatableDebtUSD, latentBadDebtUSD: p.latentBadDebtUSD };
      expect(data.stress.after).toEqual(plain);
      expect(data.stress.before).toEqual(plain);
      expect(data.stress).toMatchObject({ newlyLiquidatableAccounts: 0, newlyInsolventAccounts: 0, projectedBadDebtUSD: '0' });
      for (const m of p.markets) {
        const s = data.stress.markets.find((x: any) => x.id === m.id);
        expect(s.after).toEqual({ borrowers: m.borrowerCount, liquidatableAccounts: m.liquidatableAccounts, insolventAccounts: m.insolventAccounts, liquidatableDebtUSD: m.liquidatableDebtUSD, latentBadDebtUSD: m.latentBadDebtUSD });
      }
    }
  });

  it('every price falling alike (one correlated group) leaves the liquidation verdicts as they were', async () => {
    const p = await protocolAndAssets();
    const all = p.markets.map((m: any) => `"${m.asset.address}"`).join(', ');
    const { data, errors } = await ask(`{ stress(protocol: "${p.id}", shocks: [{ assets: [${all}], change: "-0.99" }]) { after { ${FIGURES} unprofitableDebtUSD } before { latentBadDebtUSD } projectedBadDebtUSD accounts(first: 5) { totalCount items { liquidatable insolvent } } } }`);
    expect(errors).toBeUndefined();
    // Every price falls alike: health factors keep their ratio (up to rounding at cent-sized prices), bad debt shrinks with the prices.
    expect(data.stress.after.liquidatableAccounts).toBe(p.liquidatableAccounts);
    expect(data.stress.after.insolventAccounts).toBe(p.insolventAccounts);
    expect(Number(data.stress.after.latentBadDebtUSD)).toBeLessThanOrEqual(Number(p.latentBadDebtUSD) / 99);
  });

  it('refuses bad shocks with stable codes', async () => {
    const p = await protocolAndAssets();
    const asset = p.markets[0].asset.address;
    const cases: [string, string][] = [
      [`[{ asset: "0x${'1'.repeat(40)}", change: "-0.1" }]`, 'UNKNOWN_ASSET'],
      [`[{ asset: "${asset}", change: "-1" }]`, 'INVALID_SHOCK'],
      [`[{ asset: "${asset}", change: "-0.5%" }]`, 'INVALID_SHOCK'],
      [`[{ asset: "${asset}", change: "-0.1" }, { asset: "${asset}", change: "0.1" }]`, 'INVALID_SHOCK'],
    ];
    for (const [shocks, code] of cases) {
      const { errors } = await ask(`{ stress(protocol: "${p.id}", shocks: ${shocks}) { projectedBadDebtUSD } }`);
      expect(errors?.[0].extensions.code).toBe(code);
    }
    const early = await ask(`{ stress(protocol: "${p.id}", shocks: [], accrueTo: 1) { accruedTo } }`);
    expect(early.errors?.[0].extensions.code).toBe('BAD_USER_INPUT');
  });
});

describe('liquidationCurve over the replay', () => {
  it('starts at the plain figures and only grows as the price falls (cumulative)', async () => {
    const p = await protocolAndAssets();
    for (const m of p.markets) {
      const { data, errors } = await ask(`{ liquidationCurve(protocol: "${p.id}", asset: "${m.asset.address}", steps: 9) { points { change liquidatableCollateral liquidatableCollateralUSD liquidatableAccounts latentBadDebtUSD badDebtCreatedUSD } } }`);
      expect(errors).toBeUndefined();
      const points = data.liquidationCurve.points;
      expect(points).toHaveLength(10);
      expect(points[0]).toMatchObject({ change: '0', latentBadDebtUSD: p.latentBadDebtUSD, badDebtCreatedUSD: '0' });
      expect(points[9].change).toBe('-0.9');
      expect(points[0].liquidatableAccounts).toBeLessThanOrEqual(p.liquidatableAccounts);
      for (let k = 1; k < points.length; k++) {
        expect(Number(points[k].liquidatableCollateral)).toBeGreaterThanOrEqual(Number(points[k - 1].liquidatableCollateral));
      }
    }
  });

  it('refuses too many steps', async () => {
    const p = await protocolAndAssets();
    const { errors } = await ask(`{ liquidationCurve(protocol: "${p.id}", asset: "${p.markets[0].asset.address}", steps: 1000) { points { change } } }`);
    expect(errors?.[0].extensions.code).toBe('TOO_MANY_POINTS');
  });
});
