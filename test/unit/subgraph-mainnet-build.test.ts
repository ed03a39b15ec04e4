import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import YAML from 'yaml';
import { AaveV3Ethereum, AaveV3EthereumEtherFi, AaveV3EthereumHorizon, AaveV3EthereumLido } from '@aave-dao/aave-address-book';
import { buildSubgraph, buildSubgraphs, networkInstances } from '../../devnet/stack/subgraph-build';

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

  // All four instances in one go, as --rpc mode builds them: one compile, three placed copies.
  const built = new Map<string, { buildDir: string; manifest: string }>();
  const steps: string[] = [];
  let committedBefore: string;
  beforeAll(async () => {
    committedBefore = fs.readFileSync(manifest, 'utf8');
    const targets = AAVE_MAINNET.map((i) => ({ name: 'aave-v3', instance: i.instance, manifest }));
    const builds = await buildSubgraphs(targets, { network: 'mainnet', workDir, log: (line) => steps.push(line) });
    AAVE_MAINNET.forEach((i, n) =>
      built.set(i.instance ?? 'core', { buildDir: builds[n].buildDir, manifest: fs.readFileSync(path.join(builds[n].buildDir, 'subgraph.yaml'), 'utf8') }),
    );
  }, 240_000);

  it('compiles the manifest once for all four instances', () => {
    expect(steps.filter((s) => s.startsWith('graph codegen'))).toHaveLength(1);
    expect(steps.filter((s) => s.startsWith('graph build'))).toHaveLength(1);
    expect(new Set([...built.values()].map((b) => b.buildDir)).size).toBe(4);
  });

  it("an instance placed from Core's build is the build graph-cli itself makes for that instance", async () => {
    const { buildDir: own } = await buildSubgraph({ name: 'aave-v3-own', instance: 'prime', manifest, network: 'mainnet', workDir, codegen: false });
    const placed = built.get('prime')!.buildDir;
    const files = (dir: string): string[] =>
      fs.readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => fs.statSync(path.join(dir, f)).isFile()).sort();
    expect(files(placed)).toEqual(files(own));
    for (const file of files(own)) {
      if (file === 'subgraph.yaml') continue;
      // wasm, ABIs and schema: byte for byte
      expect({ file, same: fs.readFileSync(path.join(placed, file)).equals(fs.readFileSync(path.join(own, file))) }).toEqual({ file, same: true });
    }
    const read = (dir: string) => YAML.parse(fs.readFileSync(path.join(dir, 'subgraph.yaml'), 'utf8'));
    expect(read(placed)).toEqual(read(own));
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
  }, 300_000); // a graph build takes ~20 s idle, minutes on a loaded 2-core machine

  it('builds the Gearbox V3 manifest for mainnet at the Trade USDC v3 pool and its credit manager (sources in README)', async () => {
    const gearboxManifest = path.join(root, 'subgraph', 'gearbox-v3.yaml');
    const before = fs.readFileSync(gearboxManifest, 'utf8');
    const { buildDir } = await buildSubgraph({ name: 'gearbox-v3', manifest: gearboxManifest, network: 'mainnet', workDir });
    const built = YAML.parse(fs.readFileSync(path.join(buildDir, 'subgraph.yaml'), 'utf8')) as {
      dataSources: { name: string; network: string; source: { address: string; startBlock: number } }[];
      templates: { name: string; network: string }[];
    };
    const placed = Object.fromEntries(built.dataSources.map((d) => [d.name, { network: d.network, address: d.source.address, startBlock: d.source.startBlock }]));
    // Gearbox V3 on Ethereum, deployed in block 18,798,139: dUSDCV3 and the USDC credit manager #1.
    const at = (address: string) => ({ network: 'mainnet', address, startBlock: 18798139 });
    expect(placed).toEqual({
      PoolV3: at('0xda00000035fef4082F78dEF6A8903bee419FbF8E'),
      CreditFacadeV3: at('0x958cBC4AEA076640b5D9019c61e7F78F4F682c0C'),
      CreditManagerV3: at('0x3EB95430FdB99439A86d3c6D7D01C3c561393556'),
      CreditConfiguratorV3: at('0x7504B2119710C23818A31a0B5dDA04d84A3DA6C2'),
      PoolQuotaKeeperV3: at('0xC96C20E664303fB8C29ee6333055757AC7D484F4'),
      GaugeV3: at('0xFFD0C7474B074F8469a627a2d062D106ABc3B217'),
      PriceOracleV3: at('0x599f585D1042A14aAb194AC8031b2048dEFdFB85'),
    });
    expect(built.templates.map((t) => [t.name, t.network])).toEqual([['GearboxToken', 'mainnet']]);
    for (const name of ['PoolV3', 'CreditFacadeV3', 'PoolQuotaKeeperV3', 'GaugeV3', 'PriceOracleV3', 'CreditManagerV3']) {
      expect({ name, wasm: fs.existsSync(path.join(buildDir, name, `${name}.wasm`)) }).toEqual({ name, wasm: true });
    }
    expect(fs.readFileSync(gearboxManifest, 'utf8')).toBe(before);
  }, 300_000);
});
