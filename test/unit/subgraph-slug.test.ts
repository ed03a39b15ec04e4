import { slugify } from '../../subgraph/src/common/text';

/** subgraph/src/common/text.ts has no graph-ts imports, so the AssemblyScript source runs as TypeScript too. */
describe('slugify (protocol slugs from Aave market ids)', () => {
  it.each([
    ['Aave Ethereum Market', 'aave-ethereum-market'],
    ['Aave Ethereum Lido Market', 'aave-ethereum-lido-market'],
    ['Aave Devnet v3.6 Market', 'aave-devnet-v3-6-market'],
    ['  --Aave__Horizon RWA!! ', 'aave-horizon-rwa'],
    ['Devnet', 'devnet'],
  ])('%s -> %s', (name, slug) => expect(slugify(name, 'aave-v3')).toBe(slug));

  it('falls back when nothing is left', () => {
    expect(slugify('', 'aave-v3')).toBe('aave-v3');
    expect(slugify(' ... ', 'aave-v3')).toBe('aave-v3');
  });
});
