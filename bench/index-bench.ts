/**
 * `npm run bench:index [-- --accounts N --seed S]`: brings the devnet stack up with a scenario of N
 * accounts (default 1,000), lets graph-node index it from the deployment block to the head, and prints
 * events/s, blocks/s and wall time of that initial sync. A benchmark, not a test: compare the figures
 * across changes on the same machine.
 */
import os from 'node:os';
import { startBenchStack } from './bench-stack';

async function main() {
  const wall = Date.now();
  const { stack, accounts, seed, stop } = await startBenchStack('bench-index');
  try {
    const { indexing, devnet } = stack;
    const events = indexing.handlerCalls;
    const result = {
      accounts,
      seed,
      scenarioActions: Object.fromEntries(Object.entries(devnet).map(([name, run]) => [name, run.scenario.counts])),
      blocks: indexing.blocks,
      handlerCalls: events,
      indexingSeconds: Number(indexing.seconds.toFixed(2)),
      blocksPerSecond: Number((indexing.blocks / indexing.seconds).toFixed(1)),
      eventsPerSecond: events === null ? null : Number((events / indexing.seconds).toFixed(1)),
      wallSecondsIncludingScenario: Number(((Date.now() - wall) / 1000).toFixed(1)),
      machine: `${os.cpus().length} cores, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, node ${process.version}`,
    };
    console.log(JSON.stringify(result, null, 2));
  } finally {
    await stop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
