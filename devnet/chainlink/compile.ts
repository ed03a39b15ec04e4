// Compiles the devnet's price feeds with the generic cached compiler (devnet/solc/compile.ts):
// - Chainlink's real feed proxy, EACAggregatorProxy from @chainlink/contracts@0.8.0 (src/v0.6,
//   what Aave's mainnet sources are), with solcjs 0.6.6: the sources pin `pragma solidity 0.6.6`
//   exactly (0.6.12 refuses them). Behind it the package's MockV3Aggregator, extended by
//   contracts/EmittingMockV3Aggregator.sol with the AnswerUpdated event mainnet aggregators emit.
// - the CAPO stand-ins (contracts/PriceCapAdapterStandIn.sol, RatioProviderStandIn.sol) with
//   solcjs 0.8.19.
// Cached under .cache/chainlink-v06/<key>/ and .cache/price-cap-standins/<key>/.
import { artifactOf, compileCached, type Artifact, type SolcJob } from '../solc/compile';

export const CHAINLINK_V06_JOB: SolcJob = {
  name: 'chainlink-v06',
  solcPackage: 'solc-066', // npm:solc@0.6.6
  entries: ['@chainlink/contracts/src/v0.6/EACAggregatorProxy.sol', 'devnet/chainlink/contracts/EmittingMockV3Aggregator.sol'],
  // 0.6.6's newest EVM is istanbul.
  settings: { optimizer: { enabled: true, runs: 200 }, evmVersion: 'istanbul' },
};

export const PRICE_CAP_JOB: SolcJob = {
  name: 'price-cap-standins',
  solcPackage: 'solc-0819', // npm:solc@0.8.19
  entries: ['devnet/chainlink/contracts/PriceCapAdapterStandIn.sol', 'devnet/chainlink/contracts/RatioProviderStandIn.sol'],
  settings: { optimizer: { enabled: true, runs: 200 }, evmVersion: 'paris' },
};

export interface FeedArtifacts {
  proxy: Artifact;
  aggregator: Artifact;
  capAdapter: Artifact;
  ratioProvider: Artifact;
}

export async function compileFeeds(log?: (m: string) => void): Promise<FeedArtifacts> {
  const [v06, cap] = await Promise.all([compileCached(CHAINLINK_V06_JOB, log), compileCached(PRICE_CAP_JOB, log)]);
  return {
    proxy: artifactOf(v06, 'EACAggregatorProxy'),
    aggregator: artifactOf(v06, 'EmittingMockV3Aggregator'),
    capAdapter: artifactOf(cap, 'PriceCapAdapterStandIn'),
    ratioProvider: artifactOf(cap, 'RatioProviderStandIn'),
  };
}

if (require.main === module) {
  const t0 = Date.now();
  compileFeeds(console.log).then(
    (a) => console.log(`price feeds compiled: ${Object.keys(a).join(', ')} in ${Date.now() - t0} ms`),
    (e) => {
      console.error(e);
      process.exit(1);
    },
  );
}
