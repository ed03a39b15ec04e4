/**
 * The floor build for the indexing benchmark: the same manifests (data sources, templates, event
 * handlers, `receipt: true`, ABIs, schema), compiled from stub mappings whose handlers do nothing but
 * create the same data source templates as ours. graph-node then delivers the same triggers to it, so
 * what it costs is graph-node's own work per trigger (block and log scanning, receipts, decoding, a
 * wasm instance per handler, proof of indexing), the part of our cost no mapping change can remove.
 *
 * The stubs are generated from the committed manifest at bench time, one file per mapping, every
 * handler exported; FLOOR_CODE holds the few handler bodies that must create templates. The benchmark
 * compares the handler calls of both builds per handler: they must be equal, or the floor missed a
 * template.
 */
import fs from 'node:fs';
import path from 'node:path';

export interface ManifestMapping {
  /** The data source's or template's name. */
  name: string;
  /** The mapping's `file:` value as the manifest writes it (`./src/aave-v3/pool.ts`). */
  file: string;
  handlers: string[];
}

/** Data sources and templates of a graph-cli manifest with their mapping file and handlers. */
export function manifestMappings(manifestText: string): ManifestMapping[] {
  const out: ManifestMapping[] = [];
  let current: ManifestMapping | undefined;
  for (const line of manifestText.split('\n')) {
    if (/^\s*- kind: /.test(line)) {
      current = { name: '', file: '', handlers: [] };
      out.push(current);
      continue;
    }
    if (!current) continue;
    const name = /^\s+name: (\S+)$/.exec(line);
    if (name && current.name === '') current.name = name[1];
    const file = /^\s+file: (\S+\.ts)$/.exec(line);
    if (file) current.file = file[1];
    const handler = /^\s+handler: (\w+)$/.exec(line);
    if (handler) current.handlers.push(handler[1]);
  }
  return out.filter((m) => m.file !== '');
}

interface FloorCode {
  /** AssemblyScript helpers placed in every stub that has a body from `handlers`. */
  helpers: string;
  /** Handler bodies (the event is `event: ethereum.Event`), by handler name. */
  handlers: Record<string, string>;
}

/**
 * What the floor must do per manifest (by file name) so that the same templates exist. Aave V3: a
 * reserve listing creates the aToken and variable debt token data sources (configurator.ts); an
 * oracle source, and the Chainlink aggregator behind it when the source is a proxy, gets an
 * Aggregator data source once (prices.ts getOrCreatePriceSource / followAggregator: at source
 * changes, and again at the listing of the asset's reserve). The floor keeps which feeds it watches
 * in PriceSource rows and each asset's source in an OracleAsset row (id = asset): a few writes per
 * oracle event, none per user action. Morpho Blue creates no templates.
 */
const FLOOR_CODE: Record<string, FloorCode> = {
  'aave-v3.yaml': {
    helpers: `
function watch(feed: Address): Entity {
  let e = store.get('PriceSource', feed.toHexString())
  if (e == null) {
    e = new Entity()
    e.set('id', Value.fromBytes(feed))
    e.set('assets', Value.fromBytesArray([]))
    e.set('proxies', Value.fromBytesArray([]))
    store.set('PriceSource', feed.toHexString(), e)
    DataSourceTemplate.create('Aggregator', [feed.toHexString()])
  }
  return e
}

function follow(feed: Address): void {
  const ps = watch(feed)
  const r = ethereum.call(new ethereum.SmartContractCall('ChainlinkAggregatorProxy', feed, 'aggregator', 'aggregator():(address)', []))
  if (r == null) return
  const behind = r[0].toAddress()
  if (behind.equals(Address.zero()) || behind.equals(feed)) return
  const previous = ps.get('aggregator')
  if (previous != null && previous.kind == ValueKind.BYTES && previous.toBytes().equals(behind)) return
  watch(behind)
  ps.set('aggregator', Value.fromBytes(behind))
  store.set('PriceSource', feed.toHexString(), ps)
}
`,
    handlers: {
      // ReserveInitialized(asset, aToken, stableDebtToken, variableDebtToken, interestRateStrategy)
      handleReserveInitialized: `
  const asset = event.parameters[0].value.toAddress()
  DataSourceTemplate.create('AToken', [event.parameters[1].value.toAddress().toHexString()])
  DataSourceTemplate.create('VariableDebtToken', [event.parameters[3].value.toAddress().toHexString()])
  const oa = store.get('OracleAsset', asset.toHexString())
  if (oa == null) return
  const source = oa.get('source')
  if (source != null && source.kind == ValueKind.BYTES) follow(Address.fromBytes(source.toBytes()))`,
      // AssetSourceUpdated(asset, source)
      handleAssetSourceUpdated: `
  const asset = event.parameters[0].value.toAddress()
  const source = event.parameters[1].value.toAddress()
  const oa = new Entity()
  oa.set('id', Value.fromBytes(asset))
  oa.set('oracle', Value.fromBytes(event.address))
  oa.set('asset', Value.fromBytes(asset))
  if (source.equals(Address.zero())) oa.unset('source')
  else oa.set('source', Value.fromBytes(source))
  store.set('OracleAsset', asset.toHexString(), oa)
  if (!source.equals(Address.zero())) follow(source)`,
    },
  },
  'morpho-blue.yaml': { helpers: '', handlers: {} },
  'gearbox-v3.yaml': {
    helpers: '',
    handlers: {
      // AddCollateralToken(token): the token's transfers are followed. (The pool's underlying, followed
      // from the pool's first event after an eth_call for asset(), is left out of the floor.)
      handleAddCollateralToken: `
  DataSourceTemplate.create('GearboxToken', [event.parameters[0].value.toAddress().toHexString()])`,
    },
  },
};

/** One stub mapping: every handler exported, a body only where FLOOR_CODE gives one. */
export function floorStub(mapping: ManifestMapping, code: FloorCode): string {
  const withBody = mapping.handlers.filter((h) => code.handlers[h] !== undefined);
  const lines = [
    `// Floor stub for ${mapping.file} (${mapping.name}), generated by bench/floor.ts: handlers do nothing but create templates.`,
    withBody.length > 0
      ? "import { Address, DataSourceTemplate, Entity, Value, ValueKind, ethereum, store } from '@graphprotocol/graph-ts'"
      : "import { ethereum } from '@graphprotocol/graph-ts'",
  ];
  if (withBody.length > 0) lines.push(code.helpers);
  for (const handler of mapping.handlers) {
    const body = code.handlers[handler];
    lines.push(body === undefined ? `export function ${handler}(event: ethereum.Event): void {}` : `export function ${handler}(event: ethereum.Event): void {${body}\n}`);
  }
  return lines.join('\n') + '\n';
}

/**
 * Writes the floor stubs of a manifest into `dir` and returns them by the manifest's `file:` values
 * (what buildSubgraph's `mappings` option takes).
 */
export function writeFloorMappings(manifest: string, dir: string): Record<string, string> {
  const code = FLOOR_CODE[path.basename(manifest)];
  if (!code) throw new Error(`no floor code for ${manifest}: add its template-creating handlers to FLOOR_CODE in bench/floor.ts`);
  const mappings = manifestMappings(fs.readFileSync(manifest, 'utf8'));
  const known = new Set(mappings.flatMap((m) => m.handlers));
  for (const handler of Object.keys(code.handlers)) {
    if (!known.has(handler)) throw new Error(`floor code for ${handler}, which ${manifest} no longer has`);
  }
  fs.mkdirSync(dir, { recursive: true });
  const out: Record<string, string> = {};
  for (const mapping of mappings) {
    if (out[mapping.file]) continue; // one mapping file shared by several data sources
    const stub = path.join(dir, `${path.basename(manifest, '.yaml')}-${path.basename(mapping.file)}`);
    const handlers = [...new Set(mappings.filter((m) => m.file === mapping.file).flatMap((m) => m.handlers))];
    fs.writeFileSync(stub, floorStub({ ...mapping, handlers }, code));
    out[mapping.file] = stub;
  }
  return out;
}
