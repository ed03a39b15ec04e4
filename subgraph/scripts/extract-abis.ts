/**
 * Extracts the ABIs the Aave V3 subgraph needs from the pinned @aave/core-v3 artifacts into abis/.
 * Run: npx tsx subgraph/scripts/extract-abis.ts   (idempotent; the output is committed)
 *
 * Why from artifacts: the event signatures in the manifest must match what the deployed v3.0.x
 * contracts emit, and the artifacts are the compiler's own output for those contracts.
 */
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const artifacts = join(root, 'node_modules', '@aave', 'core-v3', 'artifacts', 'contracts');
const outDir = join(root, 'abis');

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

mkdirSync(outDir, { recursive: true });
for (const [name, rel] of Object.entries(sources)) {
  const artifact = JSON.parse(readFileSync(join(artifacts, rel), 'utf8')) as { abi: unknown[] };
  if (!Array.isArray(artifact.abi) || artifact.abi.length === 0) throw new Error(`no ABI in ${rel}`);
  writeFileSync(join(outDir, `${name}.json`), JSON.stringify(artifact.abi, null, 2) + '\n');
  console.log(`abis/${name}.json  <- ${rel} (${artifact.abi.length} entries)`);
}
writeFileSync(join(outDir, 'ERC20Bytes32.json'), JSON.stringify(erc20Bytes32, null, 2) + '\n');
console.log('abis/ERC20Bytes32.json  <- hand-written (bytes32 name/symbol variant)');
