/**
 * Extracts the ABIs the Aave V3 subgraph needs into abis/.
 * Run: npx tsx subgraph/scripts/extract-abis.ts   (idempotent; the output is committed)
 *
 * Two generations of Aave V3 are indexed by the same mappings:
 *  - v3.0.x: from the pinned @aave/core-v3 artifacts (the compiler's own output for the contracts the
 *    devnet deploys and Ethereum mainnet started with);
 *  - v3.6: from @aave-dao/aave-address-book's ABIs (dist/abis/I*.js; their event lists equal the
 *    `event` declarations of @aave-dao/aave-v3-origin@3.6.0's src/contracts/interfaces). Written
 *    verbatim as AaveV36*.json.
 * A data source can only handle events of its own ABI, so the ABIs the manifest uses for Pool,
 * PoolConfigurator and AToken (AaveV3Pool.json, ...) are the v3.0 ABI (functions and events, so the
 * eth_call bindings stay v3.0's) plus every v3.6 event whose signature v3.0 lacks, plus the Pool
 * proxy's `Upgraded` event. Events with the same signature in both (Supply, Mint, ...) appear once.
 */
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const artifacts = join(root, 'node_modules', '@aave', 'core-v3', 'artifacts', 'contracts');
const outDir = join(root, 'abis');
const addressBookAbis = join(root, 'node_modules', '@aave-dao', 'aave-address-book', 'dist', 'abis');
const requireCjs = createRequire(import.meta.url);

/** output file name -> artifact path (relative to artifacts/contracts) */
const sources: Record<string, string> = {
  AaveV3Pool: 'protocol/pool/Pool.sol/Pool.json',
  AaveV3PoolConfigurator: 'protocol/pool/PoolConfigurator.sol/PoolConfigurator.json',
  AaveV3Oracle: 'misc/AaveOracle.sol/AaveOracle.json',
  AaveV3AToken: 'protocol/tokenization/AToken.sol/AToken.json',
  AaveV3VariableDebtToken: 'protocol/tokenization/VariableDebtToken.sol/VariableDebtToken.json',
  // Only for two eth_calls per protocol (getPool/getPriceOracle); not a data source.
  AaveV3PoolAddressesProvider: 'protocol/configuration/PoolAddressesProvider.sol/PoolAddressesProvider.json',
  AaveV3StableDebtToken: 'protocol/tokenization/StableDebtToken.sol/StableDebtToken.json',
  // Chainlink-style aggregator: AnswerUpdated(int256 current, uint256 roundId, uint256 updatedAt) + latestAnswer().
  ChainlinkAggregator: 'dependencies/chainlink/AggregatorInterface.sol/AggregatorInterface.json',
  ERC20: 'dependencies/openzeppelin/contracts/IERC20Detailed.sol/IERC20Detailed.json',
};

// Some old tokens (MKR, SAI) return bytes32 from name()/symbol(); no artifact carries that variant.
const erc20Bytes32 = [
  { type: 'function', name: 'name', stateMutability: 'view', inputs: [], outputs: [{ name: '', type: 'bytes32' }] },
  { type: 'function', name: 'symbol', stateMutability: 'view', inputs: [], outputs: [{ name: '', type: 'bytes32' }] },
];

// Chainlink's feed proxy (EACAggregatorProxy, what most mainnet Aave sources are or wrap) answers
// `function aggregator() external view returns (address)` (AggregatorProxy.sol in @chainlink/contracts
// 0.8.0 src/v0.6/; not a dependency here, so only this one item is written). The subgraph calls it to
// watch the aggregator behind a proxy (src/aave-v3/prices.ts).
const chainlinkProxy = [
  { type: 'function', name: 'aggregator', stateMutability: 'view', inputs: [], outputs: [{ name: '', type: 'address' }] },
];

/** v3.6 output file name -> address-book ABI module (dist/abis/<name>.js exports <name>_ABI). */
const v36Sources: Record<string, string> = {
  AaveV36Pool: 'IPool',
  AaveV36PoolConfigurator: 'IPoolConfigurator',
  AaveV36AToken: 'IAToken',
};

/** Data-source ABI (v3.0 artifact name) -> the v3.6 ABI whose extra events it also gets. */
const merges: Record<string, string> = {
  AaveV3Pool: 'AaveV36Pool',
  AaveV3PoolConfigurator: 'AaveV36PoolConfigurator',
  AaveV3AToken: 'AaveV36AToken',
};

/**
 * The Pool, aTokens and variable debt tokens are InitializableImmutableAdminUpgradeabilityProxy's;
 * BaseUpgradeabilityProxy emits `Upgraded(address indexed implementation)` from the proxy address at
 * every implementation change (@aave/core-v3
 * contracts/dependencies/openzeppelin/upgradeability/BaseUpgradeabilityProxy.sol). The subgraph
 * re-reads POOL_REVISION / ATOKEN_REVISION / DEBT_TOKEN_REVISION there (the rounding generation, see
 * src/aave-v3/generation.ts).
 */
const proxyUpgraded = {
  type: 'event',
  name: 'Upgraded',
  anonymous: false,
  inputs: [{ indexed: true, internalType: 'address', name: 'implementation', type: 'address' }],
};

interface AbiItem {
  type: string;
  name?: string;
  inputs?: { type: string; indexed?: boolean; components?: unknown[] }[];
}

const eventSignature = (e: AbiItem) => `${e.name}(${(e.inputs ?? []).map((i) => (i.indexed ? 'indexed ' : '') + i.type).join(',')})`;

mkdirSync(outDir, { recursive: true });
const written: Record<string, AbiItem[]> = {};
for (const [name, rel] of Object.entries(sources)) {
  const artifact = JSON.parse(readFileSync(join(artifacts, rel), 'utf8')) as { abi: AbiItem[] };
  if (!Array.isArray(artifact.abi) || artifact.abi.length === 0) throw new Error(`no ABI in ${rel}`);
  written[name] = artifact.abi;
}
for (const [name, mod] of Object.entries(v36Sources)) {
  const exported = requireCjs(join(addressBookAbis, `${mod}.js`)) as Record<string, unknown>;
  const abi = exported[`${mod}_ABI`] as AbiItem[] | undefined;
  if (!Array.isArray(abi) || abi.length === 0) throw new Error(`no ${mod}_ABI in the address book`);
  written[name] = abi;
  writeFileSync(join(outDir, `${name}.json`), JSON.stringify(abi, null, 2) + '\n');
  console.log(`abis/${name}.json  <- @aave-dao/aave-address-book dist/abis/${mod}.js (${abi.length} entries)`);
}
for (const [name, rel] of Object.entries(sources)) {
  let abi = written[name];
  const extraFrom = merges[name];
  if (extraFrom) {
    const have = new Set(abi.filter((e) => e.type === 'event').map(eventSignature));
    const extra = written[extraFrom].filter((e) => e.type === 'event' && !have.has(eventSignature(e)));
    if (name === 'AaveV3Pool' || name === 'AaveV3AToken') extra.push(proxyUpgraded);
    abi = [...abi, ...extra];
    console.log(`abis/${name}.json  <- ${rel} + ${extra.length} events (${extra.map((e) => e.name).join(', ')})`);
  } else if (name === 'AaveV3VariableDebtToken') {
    // Its proxy is the same InitializableImmutableAdminUpgradeabilityProxy: Upgraded at every
    // implementation change (the token's own rounding generation, src/aave-v3/generation.ts).
    abi = [...abi, proxyUpgraded];
    console.log(`abis/${name}.json  <- ${rel} + Upgraded`);
  } else {
    console.log(`abis/${name}.json  <- ${rel} (${abi.length} entries)`);
  }
  writeFileSync(join(outDir, `${name}.json`), JSON.stringify(abi, null, 2) + '\n');
}
writeFileSync(join(outDir, 'ERC20Bytes32.json'), JSON.stringify(erc20Bytes32, null, 2) + '\n');
writeFileSync(join(outDir, 'ChainlinkAggregatorProxy.json'), JSON.stringify(chainlinkProxy, null, 2) + '\n');
console.log('abis/ERC20Bytes32.json  <- hand-written (bytes32 name/symbol variant)');
