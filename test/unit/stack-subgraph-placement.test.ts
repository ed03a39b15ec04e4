import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import YAML from 'yaml';
import { placeholderName, subgraphNames } from '../../devnet/stack/graph-node';
import { StackError } from '../../devnet/stack/errors';
import { deriveBuild, networkConfig, placeBuiltManifest } from '../../devnet/stack/subgraph-build';

/** A built manifest as graph build writes it (js-yaml, sorted keys), with a start block past the first. */
const BUILT = `specVersion: 1.3.0
schema:
  file: schema.graphql
dataSources:
  - kind: ethereum/contract
    name: Pool
    network: devnet
    source:
      abi: AaveV3Pool
      address: "0xa16E02E87b7454126E5E10d957A927A7F5B5d2be"
      endBlock: 999
      startBlock: 1
    mapping:
      kind: ethereum/events
      apiVersion: 0.0.9
      language: wasm/assemblyscript
      file: Pool/Pool.wasm
      abis:
        - name: AaveV3Pool
          file: Pool/AaveV3Pool.json
      eventHandlers:
        - event: Supply(indexed address,address,indexed address,uint256,indexed uint16)
          handler: handleSupply
  - kind: ethereum/contract
    name: AaveOracle
    network: devnet
    source:
      abi: AaveV3Oracle
      address: "0x0E801D84Fa97b50751Dbf25036d067dCf18858bF"
      startBlock: 1
    mapping:
      file: AaveOracle/AaveOracle.wasm
templates:
  - kind: ethereum/contract
    name: AToken
    network: devnet
    source:
      abi: AaveV3AToken
    mapping:
      file: templates/AToken/AToken.wasm
`;

const V36 = {
  Pool: { address: '0xA11e1b0B25E41166602a1CD280B594b656dd4234', startBlock: 107 },
  AaveOracle: { address: '0xB0f05d25e41FbC2b52013099ED9616f1206Ae21B', startBlock: 107 },
};

function caught(run: () => unknown): StackError {
  try {
    run();
  } catch (err) {
    if (err instanceof StackError) return err;
    throw err;
  }
  throw new Error('did not throw');
}

describe('placing a built manifest at another deployment', () => {
  it("rewrites every data source's network, address and start block, and only those", () => {
    const before = YAML.parse(BUILT);
    const after = YAML.parse(placeBuiltManifest(BUILT, 'devnet', V36));
    expect(after.dataSources.map((d: { source: unknown }) => d.source)).toEqual([
      // as graph build --network: the source keeps its ABI and takes the entry (no endBlock left over)
      { abi: 'AaveV3Pool', address: V36.Pool.address, startBlock: 107 },
      { abi: 'AaveV3Oracle', address: V36.AaveOracle.address, startBlock: 107 },
    ]);
    // Everything else as built: mappings (wasm, ABIs, handlers), schema, templates.
    const withoutSources = (m: { dataSources: { source?: unknown }[] }) => ({ ...m, dataSources: m.dataSources.map(({ source: _, ...rest }) => rest) });
    expect(withoutSources(after)).toEqual(withoutSources(before));
  });

  it('moves data sources and templates to another network together', () => {
    const after = YAML.parse(placeBuiltManifest(BUILT, 'mainnet', V36));
    expect(after.dataSources.map((d: { network: string }) => d.network)).toEqual(['mainnet', 'mainnet']);
    expect(after.templates.map((t: { network: string }) => t.network)).toEqual(['mainnet']);
  });

  it('keeps addresses strings (a bare 0x... would read back as a hex number)', () => {
    const text = placeBuiltManifest(BUILT, 'devnet', { ...V36, Pool: { address: '0x1000000000000000000000000000000000000000', startBlock: 5 } });
    expect(text).toMatch(/address: "0x1000000000000000000000000000000000000000"/);
    expect(YAML.parse(text).dataSources[0].source.address).toBe('0x1000000000000000000000000000000000000000');
  });

  it('ignores entries for data sources the manifest does not have (networks.json lists every manifest)', () => {
    const withMorpho = { ...V36, MorphoBlue: { address: '0xBBBBBbbBBb9cC5e90e3b3Af64bdAF62C37EEFFCb', startBlock: 18883124 } };
    expect(placeBuiltManifest(BUILT, 'devnet', withMorpho)).toBe(placeBuiltManifest(BUILT, 'devnet', V36));
  });

  it('is a BAD_CONFIG error naming the data source that has no address', () => {
    const err = caught(() => placeBuiltManifest(BUILT, 'devnet', { Pool: V36.Pool }, 'build-x/subgraph.yaml'));
    expect(err.code).toBe('BAD_CONFIG');
    expect(err.message).toBe('data source "AaveOracle" of build-x/subgraph.yaml has no address for network "devnet" (have: Pool)');
  });

  it('refuses a file that is not a built manifest', () => {
    expect(caught(() => placeBuiltManifest('schema:\n  file: schema.graphql\n', 'devnet', V36)).code).toBe('COMPONENT_FAILED');
    expect(caught(() => placeBuiltManifest('', 'devnet', V36)).code).toBe('COMPONENT_FAILED');
  });
});

describe('network entries', () => {
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'placement-'));
    fs.writeFileSync(path.join(dir, 'networks.json'), JSON.stringify({ mainnet: { Pool: V36.Pool }, 'mainnet:prime': { Pool: V36.AaveOracle } }));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("takes a deployment's own addresses first, else networks.json's <network> or <network>:<instance>", () => {
    const file = path.join(dir, 'networks.json');
    expect(networkConfig({ network: 'devnet', dataSources: V36 }, file)).toBe(V36);
    expect(networkConfig({ network: 'mainnet' }, file)).toEqual({ Pool: V36.Pool });
    expect(networkConfig({ network: 'mainnet', instance: 'prime' }, file)).toEqual({ Pool: V36.AaveOracle });
    const err = caught(() => networkConfig({ network: 'mainnet', instance: 'lido' }, file));
    expect(err.code).toBe('BAD_CONFIG');
    expect(err.message).toMatch(/no "mainnet:lido" entry in .*networks\.json/);
  });

  it("derives a deployment's build directory from another's: same files, its own placed manifest", () => {
    const from = path.join(dir, 'build-aave-v3');
    fs.mkdirSync(path.join(from, 'Pool'), { recursive: true });
    fs.writeFileSync(path.join(from, 'subgraph.yaml'), BUILT);
    fs.writeFileSync(path.join(from, 'Pool', 'Pool.wasm'), Buffer.from([0, 97, 115, 109]));
    // A leftover from an earlier run must not survive into the new build.
    fs.mkdirSync(path.join(dir, 'build-aave-v3.6'));
    fs.writeFileSync(path.join(dir, 'build-aave-v3.6', 'stale.wasm'), 'x');

    const { buildDir } = deriveBuild({ buildDir: from }, { name: 'aave-v3.6', manifest: path.join(dir, 'aave-v3.yaml'), network: 'devnet', dataSources: V36, workDir: dir });
    expect(buildDir).toBe(path.join(dir, 'build-aave-v3.6'));
    expect(fs.readdirSync(buildDir).sort()).toEqual(['Pool', 'subgraph.yaml']);
    expect(fs.readFileSync(path.join(buildDir, 'Pool', 'Pool.wasm'))).toEqual(fs.readFileSync(path.join(from, 'Pool', 'Pool.wasm')));
    expect(fs.readFileSync(path.join(buildDir, 'subgraph.yaml'), 'utf8')).toBe(placeBuiltManifest(BUILT, 'devnet', V36));
    // The build it came from is untouched.
    expect(fs.readFileSync(path.join(from, 'subgraph.yaml'), 'utf8')).toBe(BUILT);
  });
});

describe('subgraph names', () => {
  it('names each deployment after its endpoint, as graph-node accepts names', () => {
    expect(subgraphNames(['aave-v3', 'aave-v3.6', 'aave-v3-upgraded', 'morpho-blue'])).toEqual(['aave-v3', 'aave-v36', 'aave-v3-upgraded', 'morpho-blue']);
    expect(subgraphNames(['aave-v3', 'aave-v3-prime', 'aave-v3-etherfi', 'aave-v3-horizon', 'morpho-blue'])).toEqual([
      'aave-v3', 'aave-v3-prime', 'aave-v3-etherfi', 'aave-v3-horizon', 'morpho-blue',
    ]);
    expect(subgraphNames(['Aave V3 (Core)!'])).toEqual(['aave-v3-core']);
  });

  it('keeps names unique', () => {
    expect(subgraphNames(['aave-v3.6', 'aave-v36', 'aave-v3.6'])).toEqual(['aave-v36', 'aave-v36-2', 'aave-v36-3']);
  });

  it("rejects what cannot be a name, and gnd's own placeholder names", () => {
    for (const bad of ['...', '123', 'graphql', placeholderName(0), 'subgraph-7']) {
      expect(caught(() => subgraphNames([bad])).code).toBe('BAD_CONFIG');
    }
  });
});
