// Compiles Gearbox V3.1 from @gearbox-protocol/core-v3@1.52.1 (sources only, BUSL-1.1: compiled from
// node_modules at run time, never copied into this repository) with solcjs 0.8.17 (the package's
// `pragma solidity ^0.8.17`), plus the devnet's two stand-ins (contracts/). Cached by
// devnet/solc/compile.ts under .cache/gearbox-v3/<key>/.
//
// Dependencies as the package's own remappings.txt resolves them (lib/@openzeppelin = OpenZeppelin
// 4.x, lib/@1inch/solidity-utils): `@openzeppelin/contracts/` is remapped to the npm alias
// `@openzeppelin/contracts-v4` (@openzeppelin/contracts@4.9.6; the repository's own
// @openzeppelin/contracts is 5.1.0, which Gearbox does not compile against); `@1inch/solidity-utils`
// (2.4.0) resolves from node_modules as is.
//
// Settings: Gearbox builds 1.52.1 with solc 0.8.23, evm shanghai, optimizer 1000 runs, bytecode_hash
// none (foundry.toml at tag v1.52.1 of Gearbox-protocol/core-v3). Here: the same runs and metadata
// hash, solc 0.8.17, evm london (0.8.17 has no shanghai). Contract size: EIP-170 limits *runtime*
// code to 24,576 bytes; CreditFacadeV3's runtime code is 23,500 bytes with these settings (measured),
// so it deploys on a stock anvil. Its *initcode* is ~25.6 KB (the figure in FIELD-NOTES), which is
// under EIP-3860's 49,152-byte initcode limit. No code-size flag is needed.
import { artifactOf, compileCached, type Artifact, type SolcBuild, type SolcJob } from '../solc/compile';

const SRC = '@gearbox-protocol/core-v3/contracts';

/** Gearbox's own optimizer runs (foundry.toml, v1.52.1). */
export const GEARBOX_OPTIMIZER_RUNS = 1000;

export const GEARBOX_SOLC_JOB: SolcJob = {
  name: 'gearbox-v3',
  solcPackage: 'solc-0817', // npm:solc@0.8.17
  entries: [
    `${SRC}/pool/PoolV3.sol`,
    `${SRC}/pool/LinearInterestRateModelV3.sol`,
    `${SRC}/pool/PoolQuotaKeeperV3.sol`,
    `${SRC}/pool/GaugeV3.sol`,
    `${SRC}/core/GearStakingV3.sol`,
    `${SRC}/core/PriceOracleV3.sol`,
    `${SRC}/core/BotListV3.sol`,
    `${SRC}/core/DefaultAccountFactoryV3.sol`,
    `${SRC}/core/AliasedLossPolicyV3.sol`,
    `${SRC}/credit/CreditManagerV3.sol`,
    `${SRC}/credit/CreditFacadeV3.sol`,
    `${SRC}/credit/CreditConfiguratorV3.sol`,
    `${SRC}/interfaces/IExceptions.sol`,
    'devnet/gearbox-v3/contracts/AddressProviderACLStandIn.sol',
    'devnet/gearbox-v3/contracts/PriceFeedStoreStandIn.sol',
  ],
  // 0.8.17's newest EVM is london (shanghai came with 0.8.20).
  settings: {
    optimizer: { enabled: true, runs: GEARBOX_OPTIMIZER_RUNS },
    evmVersion: 'london',
    metadata: { bytecodeHash: 'none' },
  },
  remappings: [['@openzeppelin/contracts/', '@openzeppelin/contracts-v4/']],
};

export interface GearboxArtifacts {
  key: string;
  compiler: string;
  pool: Artifact;
  irm: Artifact;
  quotaKeeper: Artifact;
  gauge: Artifact;
  gearStaking: Artifact;
  priceOracle: Artifact;
  botList: Artifact;
  accountFactory: Artifact;
  lossPolicy: Artifact;
  creditManager: Artifact;
  creditFacade: Artifact;
  creditConfigurator: Artifact;
  /** CreditAccountV3 (cloned by the account factory; its ABI reads accounts) */
  creditAccount: Artifact;
  /** contracts/AddressProviderACLStandIn.sol */
  addressProvider: Artifact;
  /** contracts/PriceFeedStoreStandIn.sol */
  priceFeedStore: Artifact;
}

export function compileGearboxBuild(log?: (m: string) => void): Promise<SolcBuild> {
  return compileCached(GEARBOX_SOLC_JOB, log);
}

export async function compileGearbox(log?: (m: string) => void): Promise<GearboxArtifacts> {
  const build = await compileGearboxBuild(log);
  const a = (name: string) => artifactOf(build, name);
  return {
    key: build.key,
    compiler: build.compiler,
    pool: a('PoolV3'),
    irm: a('LinearInterestRateModelV3'),
    quotaKeeper: a('PoolQuotaKeeperV3'),
    gauge: a('GaugeV3'),
    gearStaking: a('GearStakingV3'),
    priceOracle: a('PriceOracleV3'),
    botList: a('BotListV3'),
    accountFactory: a('DefaultAccountFactoryV3'),
    lossPolicy: a('AliasedLossPolicyV3'),
    creditManager: a('CreditManagerV3'),
    creditFacade: a('CreditFacadeV3'),
    creditConfigurator: a('CreditConfiguratorV3'),
    creditAccount: a('CreditAccountV3'),
    addressProvider: a('AddressProviderACLStandIn'),
    priceFeedStore: a('PriceFeedStoreStandIn'),
  };
}

if (require.main === module) {
  const t0 = Date.now();
  compileGearbox(console.log).then(
    (a) => console.log(`Gearbox V3 build ${a.key} (solc ${a.compiler}) in ${Date.now() - t0} ms`),
    (e) => {
      console.error(e);
      process.exit(1);
    },
  );
}
