import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { AaveV3Ethereum } from '@aave-dao/aave-address-book';
import { buildSubgraph } from '../../devnet/stack/subgraph-build';

/**
 * `graph build --network mainnet` must produce a deployable subgraph whose addresses are the real
 * Ethereum-mainnet Aave V3 deployment, as Aave's own address book lists it; the committed manifest
 * must stay untouched.
 */
describe('subgraph build for Ethereum mainnet', () => {
  const root = path.resolve(__dirname, '..', '..');
  const manifest = path.join(root, 'subgraph', 'aave-v3.yaml');
  let workDir: string;
  beforeAll(() => (workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mainnet-build-'))));
  afterAll(() => fs.rmSync(workDir, { recursive: true, force: true }));

  it('compiles with graph-cli and points at the address book addresses', async () => {
    const before = fs.readFileSync(manifest, 'utf8');
    const { buildDir } = await buildSubgraph({ name: 'aave-v3', manifest, network: 'mainnet', workDir });
    const built = fs.readFileSync(path.join(buildDir, 'subgraph.yaml'), 'utf8');
    const address = (name: string) => new RegExp(`name: ${name}\\n\\s+network: mainnet\\n\\s+source:\\n\\s+address: "(0x[0-9a-fA-F]{40})"`).exec(built)?.[1];
    expect(address('Pool')).toBe(AaveV3Ethereum.POOL);
    expect(address('PoolConfigurator')).toBe(AaveV3Ethereum.POOL_CONFIGURATOR);
    expect(address('AaveOracle')).toBe(AaveV3Ethereum.ORACLE);
    expect(fs.existsSync(path.join(buildDir, 'Pool', 'Pool.wasm'))).toBe(true);
    expect(fs.readFileSync(manifest, 'utf8')).toBe(before);
  }, 120_000);

  it("builds the Morpho Blue manifest for mainnet at Morpho's own address and start block", async () => {
    const morphoManifest = path.join(root, 'subgraph', 'morpho-blue.yaml');
    const before = fs.readFileSync(morphoManifest, 'utf8');
    const { buildDir } = await buildSubgraph({ name: 'morpho-blue', manifest: morphoManifest, network: 'mainnet', workDir });
    const built = fs.readFileSync(path.join(buildDir, 'subgraph.yaml'), 'utf8');
    // Morpho Blue on Ethereum (morpho-org/morpho-blue deployments): address and deployment block.
    expect(built).toMatch(/address: "0xBBBBBbbBBb9cC5e90e3b3Af64bdAF62C37EEFFCb"/);
    expect(built).toMatch(/startBlock: 18883124/);
    expect(fs.readFileSync(morphoManifest, 'utf8')).toBe(before);
  }, 120_000);
});
