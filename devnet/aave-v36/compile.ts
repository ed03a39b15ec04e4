// Compiles the Aave V3.6 contracts the devnet deploys from the Solidity sources of
// @aave-dao/aave-v3-origin@3.6.0 (the package ships no bytecode) with solcjs 0.8.27, offline.
// The import closure, cache key (compiler version + settings + every source's content), child
// process and cache (.cache/aave-v36/<key>/artifacts.json) are devnet/solc/compile.ts's; this file
// states the job and also writes abis/<Name>.json next to the cache for readers outside TypeScript.
//
// Settings are the ones verified in FIELD-NOTES ("Aave V3.6"): optimizer on, 200 runs, evm
// shanghai, bytecodeHash none, no via-IR; remappings as aave-v3-origin's foundry.toml needs them.
import fs from 'node:fs';
import path from 'node:path';
import { artifactOf, CACHE_DIR, compileCached, type Artifact, type SolcBuild, type SolcJob } from '../solc/compile';

const SRC = '@aave-dao/aave-v3-origin/src/contracts';

/** Source files (relative to node_modules) whose contracts the devnet deploys; libraries come along. */
export const V36_ENTRY_SOURCES = [
  `${SRC}/instances/PoolInstance.sol`,
  `${SRC}/instances/PoolConfiguratorInstance.sol`,
  `${SRC}/instances/ATokenInstance.sol`,
  `${SRC}/instances/VariableDebtTokenInstance.sol`,
  `${SRC}/protocol/configuration/PoolAddressesProvider.sol`,
  `${SRC}/protocol/configuration/ACLManager.sol`,
  `${SRC}/misc/AaveOracle.sol`,
  `${SRC}/misc/DefaultReserveInterestRateStrategyV2.sol`,
  `${SRC}/helpers/AaveProtocolDataProvider.sol`,
  `${SRC}/mocks/tokens/MintableERC20.sol`,
  // Flash-loan receivers the scenario borrows through (they mint the premium with MintableERC20.mint).
  `${SRC}/mocks/flashloan/MockFlashLoanReceiver.sol`,
  `${SRC}/mocks/flashloan/MockSimpleFlashLoanReceiver.sol`,
];

export const V36_JOB: SolcJob = {
  name: 'aave-v36',
  solcPackage: 'solc-0827', // npm:solc@0.8.27
  entries: V36_ENTRY_SOURCES,
  settings: { optimizer: { enabled: true, runs: 200 }, evmVersion: 'shanghai', metadata: { bytecodeHash: 'none' }, viaIR: false },
  // aave-v3-origin's remappings (FIELD-NOTES), targets relative to node_modules.
  remappings: [
    ['openzeppelin-contracts/contracts/', '@openzeppelin/contracts/'],
    ['openzeppelin-contracts-upgradeable/contracts/', '@openzeppelin/contracts-upgradeable/'],
    ['solidity-utils/', '@bgd-labs/solidity-utils/src/'],
  ],
};

export type V36Build = SolcBuild;
export const CACHE_ROOT = path.join(CACHE_DIR, V36_JOB.name);

/** The v3.6 build: from memory, else from .cache/aave-v36/<key>/, else compiled (~10 s) and cached. */
export async function compileAaveV36(log: (m: string) => void = () => {}): Promise<V36Build> {
  const build = await compileCached(V36_JOB, log);
  writeAbiFiles(build);
  return build;
}

/**
 * .cache/aave-v36/<key>/abis/<Name>.json: the ABI of every contract, library and interface whose
 * name is unique in the build (IPool, PoolInstance, LiquidationLogic, ...), for the subgraph.
 */
function writeAbiFiles(build: V36Build): void {
  const dir = path.join(CACHE_ROOT, build.key, 'abis');
  if (fs.existsSync(dir)) return;
  const names = new Map<string, number>();
  for (const a of Object.values(build.contracts)) names.set(a.contractName, (names.get(a.contractName) ?? 0) + 1);
  const tmp = `${dir}.${process.pid}.tmp`;
  fs.mkdirSync(tmp, { recursive: true });
  for (const a of Object.values(build.contracts)) {
    if (names.get(a.contractName) === 1) fs.writeFileSync(path.join(tmp, `${a.contractName}.json`), JSON.stringify(a.abi, null, 2));
  }
  try {
    fs.renameSync(tmp, dir);
  } catch {
    fs.rmSync(tmp, { recursive: true, force: true }); // another worker was first
  }
}

/** One artifact by contract name (or "source:Name" where the name is ambiguous). */
export function v36Artifact(build: V36Build, name: string): Artifact {
  return artifactOf(build, name);
}

if (require.main === module) {
  compileAaveV36(console.log).then(
    (b) => console.log(`Aave V3.6 build ${b.key}: ${Object.keys(b.contracts).length} contracts in ${path.join(CACHE_ROOT, b.key)}`),
    (e) => {
      console.error(e);
      process.exit(1);
    },
  );
}
