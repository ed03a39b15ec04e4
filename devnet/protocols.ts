/**
 * The protocols the devnet deploys, each with its seeded scenario and the subgraph manifest that
 * indexes it. The launcher and the tests iterate over this table; adding a protocol is one entry.
 */
import path from 'node:path';
import type { DevnetClients } from './chain/anvil';
import { deployAaveV3, type AaveV3Deployment } from './aave-v3/deploy';
import { deployAaveV36 } from './aave-v36/deploy';
import { resetPrices, upgradeAaveV3ToV36 } from './aave-v36/upgrade';
import { runAaveV3Scenario, type ScenarioResult } from './scenario/aave-v3';
import { deployMorphoBlue, type MorphoDeployment, type MorphoDeployOptions } from './morpho-blue/deploy';
import { runMorphoScenario, type MorphoScenarioResult } from './scenario/morpho-blue';
import { deployGearboxV3, sharedWithGearbox, type GearboxDeployment } from './gearbox-v3/deploy';
import { runGearboxScenario, type GearboxScenarioResult } from './scenario/gearbox-v3';
import type { NetworkDataSource } from './stack/subgraph-build';

export interface DevnetRun<D, S> {
  deployment: D;
  scenario: S;
}

export interface DevnetProtocol<D extends { startBlock: number } = { startBlock: number }, S = unknown> {
  /** Subgraph and gateway endpoint name. */
  name: string;
  /** Its family module in the gateway's registry (server/families/index.ts), by folder name. */
  family: string;
  /** The protocol family's manifest; one family's manifest can index several deployments. */
  manifest: string;
  /** `earlier`: what the protocols before it in the table deployed (to share tokens, as on mainnet). */
  deploy(clients: DevnetClients, log: (line: string) => void, earlier: Record<string, DevnetRun<any, any>>): Promise<D>;
  runScenario(input: { clients: DevnetClients; deployment: D; seed: string; accounts: number; log: (line: string) => void }): Promise<S>;
  /** Addresses and start blocks for the manifest's data sources. */
  dataSources(deployment: D): Record<string, NetworkDataSource>;
}

const SUBGRAPH_DIR = path.resolve(__dirname, '..', 'subgraph');

function aaveDataSources(d: AaveV3Deployment): Record<string, NetworkDataSource> {
  return {
    Pool: { address: d.pool, startBlock: d.startBlock },
    PoolConfigurator: { address: d.poolConfigurator, startBlock: d.startBlock },
    AaveOracle: { address: d.aaveOracle, startBlock: d.startBlock },
  };
}

export const aaveV3Devnet: DevnetProtocol<AaveV3Deployment, ScenarioResult> = {
  name: 'aave-v3',
  family: 'aave-v3',
  manifest: path.join(SUBGRAPH_DIR, 'aave-v3.yaml'),
  // Distinct market ids: the subgraph names each protocol after its market id (protocol.ts).
  deploy: (clients, log) => deployAaveV3(clients, { log, marketId: 'Aave Devnet v3.0 Market' }),
  runScenario: (i) => runAaveV3Scenario(i),
  dataSources: aaveDataSources,
};

/** The current Aave code (v3.6, compiled from @aave-dao/aave-v3-origin), indexed by the same manifest. */
export const aaveV36Devnet: DevnetProtocol<AaveV3Deployment, ScenarioResult> = {
  name: 'aave-v3.6',
  family: 'aave-v3',
  manifest: path.join(SUBGRAPH_DIR, 'aave-v3.yaml'),
  deploy: (clients, log) => deployAaveV36(clients, { log, marketId: 'Aave Devnet v3.6 Market' }),
  runScenario: (i) => runAaveV3Scenario(i),
  dataSources: aaveDataSources,
};

/** Morpho Blue (compiled from @morpho-org/morpho-blue@1.0.0), indexed by subgraph/morpho-blue.yaml. */
export const morphoBlueDevnet: DevnetProtocol<MorphoDeployment, MorphoScenarioResult> = {
  name: 'morpho-blue',
  family: 'morpho-blue',
  manifest: path.join(SUBGRAPH_DIR, 'morpho-blue.yaml'),
  // Morpho lists its markets on the Aave v3.0 devnet's tokens when that market is deployed: one
  // token, one address, priced by Aave's oracle in USD (what the gateway values Morpho with).
  deploy: (clients, log, earlier) => {
    const aave = earlier['aave-v3']?.deployment as AaveV3Deployment | undefined;
    return deployMorphoBlue(clients, { log, existingTokens: aave && sharedWithMorpho(aave) });
  },
  runScenario: (i) => runMorphoScenario(i),
  dataSources: (d) => ({ MorphoBlue: { address: d.morpho, startBlock: d.startBlock } }),
};

/** An Aave market's tokens and their Chainlink proxies: Morpho's oracles then read the same feeds as Aave's oracle. */
export function sharedWithMorpho(aave: AaveV3Deployment): NonNullable<MorphoDeployOptions['existingTokens']> {
  return aave.reserves.map((r) => ({
    symbol: r.symbol, address: r.underlying, decimals: r.decimals,
    ...(r.feed.kind === 'chainlink-proxy' ? { feed: { proxy: r.feed.proxy, aggregator: r.feed.aggregator } } : {}),
  }));
}

/**
 * The mainnet path: a v3.0 market that runs its scenario, is upgraded in place to v3.6 (same
 * proxies, PoolV30MigrationInstance migrating the storage as mainnet's payloads did), and runs the
 * scenario again. One subgraph deployment indexes both event generations from the same addresses.
 */
export const aaveV3UpgradedDevnet: DevnetProtocol<AaveV3Deployment & { upgradeBlock?: number }, ScenarioResult & { upgradeBlock: number }> = {
  name: 'aave-v3-upgraded',
  family: 'aave-v3',
  manifest: path.join(SUBGRAPH_DIR, 'aave-v3.yaml'),
  deploy: (clients, log) => deployAaveV3(clients, { log, marketId: 'Aave Devnet Upgraded Market' }),
  async runScenario(i) {
    const before = await runAaveV3Scenario({ ...i, seed: `${i.seed}/v3.0` });
    i.log('upgrading the market in place to v3.6');
    const upgraded = await upgradeAaveV3ToV36(i.clients, i.deployment, { log: i.log });
    // The state file carries the upgraded deployment (the v3.6 view of the same addresses).
    Object.assign(i.deployment, upgraded);
    await resetPrices(i.clients, upgraded);
    const after = await runAaveV3Scenario({ ...i, deployment: upgraded, seed: `${i.seed}/v3.6` });
    const accounts = [...new Set([...before.accounts, ...after.accounts])];
    return {
      ...after,
      accounts,
      flashLoans: [...before.flashLoans, ...after.flashLoans],
      checkpoints: [...before.checkpoints.map((c) => ({ ...c, name: `v3.0 ${c.name}` })), ...after.checkpoints.map((c) => ({ ...c, name: `v3.6 ${c.name}` }))] as ScenarioResult['checkpoints'],
      upgradeBlock: upgraded.upgradeBlock,
    };
  },
  dataSources: aaveDataSources,
};

/** Gearbox V3.1 (compiled from @gearbox-protocol/core-v3@1.52.1), indexed by subgraph/gearbox-v3.yaml. */
export const gearboxV3Devnet: DevnetProtocol<GearboxDeployment, GearboxScenarioResult> = {
  name: 'gearbox-v3',
  family: 'gearbox-v3',
  manifest: path.join(SUBGRAPH_DIR, 'gearbox-v3.yaml'),
  // On the Aave v3.0 devnet's USDC/WETH/WBTC and their feeds when that market is deployed.
  deploy: (clients, log, earlier) => {
    const aave = earlier['aave-v3']?.deployment as AaveV3Deployment | undefined;
    return deployGearboxV3(clients, { log, existingTokens: aave && sharedWithGearbox(aave) });
  },
  runScenario: (i) => runGearboxScenario(i),
  dataSources: (d) => ({
    PoolV3: { address: d.pool, startBlock: d.startBlock },
    CreditFacadeV3: { address: d.creditFacade, startBlock: d.startBlock },
    CreditManagerV3: { address: d.creditManager, startBlock: d.startBlock },
    PoolQuotaKeeperV3: { address: d.poolQuotaKeeper, startBlock: d.startBlock },
    GaugeV3: { address: d.gauge, startBlock: d.startBlock },
    PriceOracleV3: { address: d.priceOracle, startBlock: d.startBlock },
    CreditConfiguratorV3: { address: d.creditConfigurator, startBlock: d.startBlock },
  }),
};

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- one table of differently typed protocols
export const DEVNET_PROTOCOLS: DevnetProtocol<any, any>[] = [aaveV3Devnet, aaveV36Devnet, aaveV3UpgradedDevnet, morphoBlueDevnet, gearboxV3Devnet];

/** The devnet protocol of that name (its endpoint/subgraph name). */
export function devnetProtocol(name: string): DevnetProtocol<any, any> | undefined {
  return DEVNET_PROTOCOLS.find((p) => p.name === name);
}
