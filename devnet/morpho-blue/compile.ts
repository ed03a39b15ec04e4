// Compiles Morpho Blue from @morpho-org/morpho-blue@1.0.0 (the package ships sources, no bytecode)
// with solcjs 0.8.19, and builds the ABI an indexer needs. Cached under .cache/morpho-blue/<key>/
// by devnet/solc/compile.ts (key = compiler version + settings + every source's content).
//
// Settings are Morpho's own (FIELD-NOTES, "Morpho Blue"): solc 0.8.19 exactly (Morpho.sol pins
// `pragma solidity 0.8.19`), via-IR, optimizer 999999 runs, evm paris, no remappings.
//
// The EventsLib trap: Morpho emits every event as `emit EventsLib.X(...)`, and solc 0.8.19 lists
// events of a library emitted that way in neither the contract's ABI nor anywhere but the library's
// own ABI. Morpho's ABI from solc therefore has NO events; mergedMorphoAbi() adds EventsLib's.
import type { Abi, AbiEvent } from 'viem';
import { artifactOf, compileCached, type Artifact, type SolcBuild, type SolcJob } from '../solc/compile';

const SRC = '@morpho-org/morpho-blue/src';

export const MORPHO_SOLC_JOB: SolcJob = {
  name: 'morpho-blue',
  solcPackage: 'solc-0819',
  entries: [
    `${SRC}/Morpho.sol`,
    `${SRC}/libraries/EventsLib.sol`,
    `${SRC}/libraries/ErrorsLib.sol`,
    `${SRC}/mocks/ERC20Mock.sol`,
    `${SRC}/mocks/OracleMock.sol`,
    `${SRC}/mocks/IrmMock.sol`,
    'devnet/morpho-blue/contracts/ERC20MockMetadata.sol',
    'devnet/morpho-blue/contracts/ChainlinkOracleStandIn.sol',
  ],
  settings: {
    viaIR: true,
    optimizer: { enabled: true, runs: 999_999 },
    evmVersion: 'paris',
  },
};

export interface MorphoArtifacts {
  key: string;
  compiler: string;
  /** Morpho with EventsLib's events merged into its ABI */
  morpho: Artifact;
  eventsLib: Artifact;
  erc20Mock: Artifact;
  /** ERC20Mock + name/symbol/decimals (devnet/morpho-blue/contracts/ERC20MockMetadata.sol) */
  token: Artifact;
  oracleMock: Artifact;
  /** price() from two Chainlink feeds, as MorphoChainlinkOracleV2 (devnet/morpho-blue/contracts/ChainlinkOracleStandIn.sol) */
  chainlinkOracle: Artifact;
  irmMock: Artifact;
}

export async function compileMorphoBlue(log?: (m: string) => void): Promise<MorphoArtifacts> {
  const build = await compileCached(MORPHO_SOLC_JOB, log);
  const morpho = artifactOf(build, 'Morpho');
  const eventsLib = artifactOf(build, 'EventsLib');
  return {
    key: build.key,
    compiler: build.compiler,
    morpho: { ...morpho, abi: mergeEvents(morpho.abi, eventsLib.abi) },
    eventsLib,
    erc20Mock: artifactOf(build, 'ERC20Mock'),
    token: artifactOf(build, 'ERC20MockMetadata'),
    oracleMock: artifactOf(build, 'OracleMock'),
    chainlinkOracle: artifactOf(build, 'ChainlinkOracleStandIn'),
    irmMock: artifactOf(build, 'IrmMock'),
  };
}

/** The raw build, for callers that want other contracts (e.g. IMorpho). */
export function compileMorphoBlueBuild(log?: (m: string) => void): Promise<SolcBuild> {
  return compileCached(MORPHO_SOLC_JOB, log);
}

/** abi + the events of `extra` that `abi` lacks (same name and inputs), events sorted by name. */
export function mergeEvents(abi: Abi, extra: Abi): Abi {
  const sig = (e: AbiEvent) => `${e.name}(${e.inputs.map((i) => i.type).join(',')})`;
  const have = new Set(abi.filter((x): x is AbiEvent => x.type === 'event').map(sig));
  const add = extra.filter((x): x is AbiEvent => x.type === 'event' && !have.has(sig(x)));
  const events = [...abi.filter((x) => x.type === 'event'), ...add].sort((a, b) => ((a as AbiEvent).name < (b as AbiEvent).name ? -1 : 1));
  return [...abi.filter((x) => x.type !== 'event'), ...events];
}

if (require.main === module) {
  const t0 = Date.now();
  compileMorphoBlue(console.log).then(
    (a) => console.log(`Morpho Blue build ${a.key} (solc ${a.compiler}): Morpho ${(a.morpho.bytecode.length - 2) / 2} bytes of initcode, ${Date.now() - t0} ms`),
    (e) => {
      console.error(e);
      process.exit(1);
    },
  );
}
