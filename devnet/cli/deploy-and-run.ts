// Manual use: start anvil, deploy Aave V3.0 (or V3.6 with --aave 3.6), run the seeded scenario,
// print JSON, stop anvil.
//   npx tsx devnet/cli/deploy-and-run.ts --port 18545 --seed 42 --accounts 50 [--aave 3.6] [--keep]
// --keep leaves anvil running until Ctrl-C (to poke at the chain with cast or a subgraph).
import { parseArgs } from 'node:util';
import { devnetClients, startAnvil } from '../chain/anvil';
import { deployAaveV3 } from '../aave-v3/deploy';
import { deployAaveV36 } from '../aave-v36/deploy';
import { runAaveV3Scenario } from '../scenario/aave-v3';

async function main() {
  const { values } = parseArgs({
    options: {
      port: { type: 'string', default: '18545' },
      seed: { type: 'string', default: '1' },
      accounts: { type: 'string', default: '50' },
      keep: { type: 'boolean', default: false },
      aave: { type: 'string', default: '3.0' },
      quiet: { type: 'boolean', default: false },
    },
  });
  const log = values.quiet ? () => {} : (m: string) => console.error(`[devnet] ${m}`);
  const anvil = await startAnvil({ port: Number(values.port) });
  const stop = async () => { await anvil.stop(); };
  process.once('SIGINT', () => void stop().then(() => process.exit(130)));
  try {
    const clients = devnetClients(anvil.rpcUrl);
    let t = Date.now();
    if (values.aave !== '3.0' && values.aave !== '3.6') throw new Error(`--aave must be 3.0 or 3.6, not ${values.aave}`);
    const deployment = values.aave === '3.6' ? await deployAaveV36(clients, { log }) : await deployAaveV3(clients, { log });
    log(`deployed in ${Date.now() - t} ms`);
    t = Date.now();
    const result = await runAaveV3Scenario({ clients, deployment, seed: values.seed!, accounts: Number(values.accounts), log });
    log(`scenario in ${Date.now() - t} ms`);
    console.log(JSON.stringify({ rpcUrl: anvil.rpcUrl, deployment, result }, (_, v) => (typeof v === 'bigint' ? v.toString() : v), 2));
    if (values.keep) {
      log(`anvil stays up on ${anvil.rpcUrl}; Ctrl-C to stop`);
      await new Promise(() => {});
    }
  } finally {
    await stop();
  }
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
