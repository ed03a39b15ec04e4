import fs from 'node:fs';
import path from 'node:path';

/**
 * The Morpho Blue and Gearbox V3 mappings build shared entities (Market, Protocol, Liquidation,
 * RealizedBadDebt...) beside their own (MorphoBlueConfig, MorphoMarketParams, MorphoMarketState;
 * GearboxPool...). graph-node rejects an entity saved without a non-nullable field only at indexing
 * time, so this checks statically that the code that creates each entity assigns every non-null
 * field the schema declares (a new shared `field: X!` must get each family's value, or become
 * nullable). And since Market and Protocol keep only what every family fills, with each family's
 * own entities linked from them, it checks that these mappings link their own family's entities and
 * never write another family's (no Aave scaled balance on a Position, no Aave or cross-family link).
 */
const root = path.resolve(__dirname, '..', '..');
const schema = fs.readFileSync(path.join(root, 'schema.graphql'), 'utf8');
const src = (f: string) => fs.readFileSync(path.join(root, 'subgraph', 'src', f), 'utf8');

/** Non-null, stored (not @derivedFrom) fields of an entity type, minus the ones set elsewhere. */
function requiredFields(type: string): string[] {
  const m = new RegExp(`\\ntype ${type} (?:implements \\w+ )?@entity\\([^)]*\\) \\{([\\s\\S]*?)\\n\\}`).exec(schema);
  if (!m) throw new Error(`type ${type} not found in schema.graphql`);
  const body = m[1].replace(/"""[\s\S]*?"""/g, '').replace(/"[^"\n]*"/g, '');
  const out: string[] = [];
  for (const line of body.split('\n')) {
    const f = /^\s*(\w+)\s*:\s*([^#]+?)\s*$/.exec(line);
    if (!f || f[2].includes('@derivedFrom') || !f[2].endsWith('!')) continue;
    out.push(f[1]);
  }
  return out;
}

// id comes from the constructor; the LendingEvent fields from stampEvent (common/entities.ts).
const STAMPED = new Set(['id', 'protocol', 'blockNumber', 'timestamp', 'txHash', 'logIndex']);
const CASES: [type: string, file: string][] = [
  // newMarket (common/market.ts) sets the shared fields, morpho-blue/market.ts the links.
  ['Market', 'morpho-blue/market.ts+common/market.ts'],
  ['MorphoMarketParams', 'morpho-blue/market.ts'],
  ['MorphoMarketState', 'morpho-blue/market.ts'],
  ['Protocol', 'morpho-blue/protocol.ts'],
  ['MorphoBlueConfig', 'morpho-blue/protocol.ts'],
  ['Liquidation', 'morpho-blue/liquidation.ts'],
  ['RealizedBadDebt', 'morpho-blue/liquidation.ts'],
  ['SocializedLoss', 'morpho-blue/liquidation.ts'],
  ['InterestAccrual', 'morpho-blue/morpho.ts'],
  ['FeeChange', 'morpho-blue/morpho.ts'],
  ['Supply', 'morpho-blue/morpho.ts'],
  ['Withdraw', 'morpho-blue/morpho.ts'],
  ['Borrow', 'morpho-blue/morpho.ts'],
  ['Repay', 'morpho-blue/morpho.ts'],
  ['SupplyCollateral', 'morpho-blue/morpho.ts'],
  ['WithdrawCollateral', 'morpho-blue/morpho.ts'],
  ['Authorization', 'morpho-blue/morpho.ts'],
];

/** The same check for the Gearbox V3 mappings (subgraph/src/gearbox-v3/). */
const GEARBOX_CASES: [type: string, file: string][] = [
  ['Market', 'gearbox-v3/state.ts+common/market.ts'],
  ['Protocol', 'gearbox-v3/state.ts'],
  ['GearboxPool', 'gearbox-v3/state.ts'],
  ['CreditManager', 'gearbox-v3/state.ts'],
  ['CreditAccount', 'gearbox-v3/facade.ts'],
  ['Liquidation', 'gearbox-v3/facade.ts'],
  ['Supply', 'gearbox-v3/pool.ts'],
  ['Withdraw', 'gearbox-v3/pool.ts'],
  ['Borrow', 'gearbox-v3/pool.ts'],
  ['Repay', 'gearbox-v3/pool.ts'],
  ['RealizedBadDebt', 'gearbox-v3/pool.ts'],
  ['SocializedLoss', 'gearbox-v3/pool.ts'],
  ['GearboxLoss', 'gearbox-v3/pool.ts'],
  ['SupplyCollateral', 'gearbox-v3/facade.ts'],
  ['WithdrawCollateral', 'gearbox-v3/facade.ts'],
  ['CreditAccountBalance', 'gearbox-v3/token.ts'],
  ['CreditAccountQuota', 'gearbox-v3/quotas.ts'],
  ['QuotaToken', 'gearbox-v3/quotas.ts'],
  ['CollateralToken', 'gearbox-v3/configurator.ts'],
  ['GearboxPriceFeed', 'gearbox-v3/oracle.ts'],
];

describe.each([
  ['Morpho Blue', CASES],
  ['Gearbox V3', GEARBOX_CASES],
])('%s mappings set every non-null field of the entities they create', (_family, cases) => {
  it.each(cases)('%s (%s)', (type, files) => {
    const code = files.split('+').map(src).join('\n');
    const fields = requiredFields(type).filter((f) => !STAMPED.has(f));
    expect(fields.length).toBeGreaterThan(0);
    const missing = fields.filter((f) => !new RegExp(`\\.${f}\\s*=[^=]`).test(code));
    expect({ type, missing }).toEqual({ type, missing: [] });
  });
});

/** Every mapping file of a family (and the common share helpers both use). */
const familyCode = (dir: string) =>
  [...fs.readdirSync(path.join(root, 'subgraph', 'src', dir)).map((f) => `${dir}/${f}`), 'common/shares.ts'].map((f) => [f, src(f)] as const);

describe.each([
  // [family, its source folder, link fields it must assign, fields of other families it must never write]
  ['Morpho Blue', 'morpho-blue', ['morphoParams', 'morphoState', 'morphoBlue'], ['scaledSupplyBalance', 'scaledVariableDebt', 'principalDebt', 'aaveReserve', 'aaveReserveState', 'aavePool', 'gearboxPool']],
  ['Gearbox V3', 'gearbox-v3', ['gearboxPool'], ['scaledSupplyBalance', 'scaledVariableDebt', 'aaveReserve', 'aaveReserveState', 'aavePool', 'morphoParams', 'morphoState', 'morphoBlue']],
])('%s mappings fill their own entities only', (_family, dir, links, foreign) => {
  const files = familyCode(dir);
  const code = files.map(([, c]) => c).join('\n');

  it.each(links)('link %s is set (Market/Protocol -> the family entity of the same id)', (field) => {
    expect(new RegExp(`\\.${field}\\s*=[^=]`).test(code)).toBe(true);
  });

  it("never writes another family's field or entity", () => {
    const writes = files.flatMap(([file, c]) => foreign.filter((f) => new RegExp(`\\.${f}\\s*=[^=]`).test(c)).map((f) => `${file}: .${f} =`));
    const aaveEntities = files.flatMap(([file, c]) => ['AaveReserve', 'AaveReserveState', 'AavePool'].filter((t) => new RegExp(`\\b${t}\\b`).test(c)).map((t) => `${file}: ${t}`));
    expect({ writes, aaveEntities }).toEqual({ writes: [], aaveEntities: [] });
  });
});

it('Market and Protocol declare no family-specific state field (only identity, shared totals and links)', () => {
  const market = requiredFields('Market');
  const protocol = requiredFields('Protocol');
  expect(market.sort()).toEqual(
    ['id', 'protocol', 'inputToken', 'decimals', 'createdAtBlock', 'createdAtTimestamp', 'supplierCount', 'borrowerCount', 'positionCount', 'liquidationCount', 'realizedBadDebtCount', 'totalRealizedBadDebt'].sort(),
  );
  expect(protocol.sort()).toEqual(['id', 'name', 'slug', 'family', 'network', 'marketCount', 'accountCount', 'liquidationCount', 'realizedBadDebtCount'].sort());
});
