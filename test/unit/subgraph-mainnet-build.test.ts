import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { AaveV3Ethereum, AaveV3EthereumEtherFi, AaveV3EthereumHorizon, AaveV3EthereumLido } from '@aave-dao/aave-address-book';
import { buildSubgraph, networkInstances } from '../../devnet/stack/subgraph-build';

/**
 * `graph build --network mainnet` must produce a deployable subgraph for every Ethereum-mainnet Aave
 * V3 instance, at the addresses Aave's own address book lists; the committed manifest must stay
 * untouched.
 */
describe('subgraph build for Ethereum mainnet', () => {
  const root = path.resolve(__dirname, '..', '..');
  const manifest = path.join(root, 'subgraph', 'aave-v3.yaml');
  let workDir: string;
  beforeAll(() => (workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mainnet-build-'))));
  afterAll(() => fs.rmSync(workDir, { recursive: true, force: true }));

  /**
   * Every Aave V3 instance on Ethereum mainnet: the address book's Pool, PoolConfigurator and
   * AaveOracle, and the start block networks.json must carry (sources in subgraph/README.md). Core is
   * the plain `mainnet` entry; the others are `mainnet:<instance>`.
   */
  const AAVE_MAINNET: { instance?: string; book: { POOL: string; POOL_CONFIGURATOR: string; ORACLE: string }; startBlock: number }[] = [
    { book: AaveV3Ethereum, startBlock: 16291006 },
    { instance: 'prime', book: AaveV3EthereumLido, startBlock: 20262370 },
    { instance: 'etherfi', book: AaveV3EthereumEtherFi, startBlock: 20625000 },
    { instance: 'horizon', book: AaveV3EthereumHorizon, startBlock: 23125530 },
  ];

  it('networks.json lists exactly the Aave V3 Ethereum instances', () => {
    const listed = networkInstances(path.join(root, 'subgraph', 'networks.json'), 'mainnet');
    expect(listed).toEqual(AAVE_MAINNET.map((i) => i.instance));
  });

  // Core first (with codegen), then the other instances side by side: the same code, other manifests.
  const built = new Map<string, { buildDir: string; manifest: string }>();
  let committedBefore: string;
  beforeAll(async () => {
    committedBefore = fs.readFileSync(manifest, 'utf8');
    const build = async (instance: string | undefined, codegen: boolean) => {
      const { buildDir } = await buildSubgraph({ name: 'aave-v3', instance, manifest, network: 'mainnet', workDir, codegen });
      built.set(instance ?? 'core', { buildDir, manifest: fs.readFileSync(path.join(buildDir, 'subgraph.yaml'), 'utf8') });
    };
    await build(undefined, true);
    await Promise.all(AAVE_MAINNET.filter((i) => i.instance).map((i) => build(i.instance, false)));
  }, 240_000);

  it.each(AAVE_MAINNET.map((i) => [i.instance ?? 'core', i] as const))(
    'builds Aave V3 %s for mainnet at its address book addresses and start block',
    (label, { book, startBlock }) => {
      const { buildDir, manifest: out } = built.get(label)!;
      // One data source's block of the built manifest (graph-cli re-serializes the sources it
      // rewrites, so key order differs between instances: match each key on its own).
      const source = (name: string) => {
        const block = out.split(/\n  - kind: /).find((b) => b.includes(`\n    name: ${name}\n`));
        if (!block) return undefined;
        const field = (key: string) => new RegExp(`\\n\\s+${key}: "?([^"\\n]+)"?`).exec(block)?.[1];
        return { network: field('network'), address: field('address'), startBlock: Number(field('startBlock')) };
      };
      // graph-node only knows the chain as "mainnet", whichever instance this is.
      expect(source('Pool')).toEqual({ network: 'mainnet', address: book.POOL, startBlock });
      expect(source('PoolConfigurator')).toEqual({ network: 'mainnet', address: book.POOL_CONFIGURATOR, startBlock });
      expect(source('AaveOracle')).toEqual({ network: 'mainnet', address: book.ORACLE, startBlock });
      expect(out).not.toMatch(/network: mainnet:/);
      expect(fs.existsSync(path.join(buildDir, 'Pool', 'Pool.wasm'))).toBe(true);
      expect(fs.readFileSync(manifest, 'utf8')).toBe(committedBefore);
    },
  );

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
