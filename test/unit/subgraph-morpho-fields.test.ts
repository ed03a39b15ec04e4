import fs from 'node:fs';
import path from 'node:path';

/**
 * The Morpho Blue mappings build shared entities (Market, Protocol, Liquidation, RealizedBadDebt...)
 * whose schema other protocol families extend. graph-node rejects an entity saved without a
 * non-nullable field only at indexing time, so this checks statically that the Morpho code that
 * creates each entity assigns every non-null field the schema declares (a new `field: X!` added for
 * Aave must get its Morpho value too, or become nullable).
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
  // newPlainMarket (common/market.ts) sets the shared fields, morpho-blue/market.ts Morpho's own.
  ['Market', 'morpho-blue/market.ts+common/market.ts'],
  ['Protocol', 'morpho-blue/protocol.ts'],
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
