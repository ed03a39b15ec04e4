/**
 * `npm run bench:index [-- --accounts N --seed S]`: brings the devnet stack up with a scenario of N
 * accounts (default 1,000), lets graph-node index it from the deployment block to the head, and prints
 * events/s, blocks/s and wall time of that initial sync. A benchmark, not a test: compare the figures
 * across changes on the same machine.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseFlags, portsFrom, repoRoot } from '../devnet/cli/options';
import { startStack } from '../devnet/stack/launch';
import { freePort } from '../devnet/stack/ports';

async function main() {
  const flags = parseFlags(process.argv.slice(2), process.env);
  const accounts = (flags.accounts as number | undefined) ?? 1000;
  const seed = (flags.seed as string | undefined) ?? 'bench';
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-index-'));
  fs.chmodSync(workDir, 0o755); // embedded Postgres runs as its own OS user under root
  // Free ports unless given: a benchmark must not collide with a stack the user left running.
  const ports = portsFrom(flags);
  if (!Object.keys(flags).some((f) => f.startsWith('port-'))) {
    for (const key of Object.keys(ports) as (keyof typeof ports)[]) ports[key] = await freePort();
  }
  const wall = Date.now();
  const stack = await startStack({
    network: 'devnet',
    ports,
    seed,
    accounts,
    workDir,
    manifests: [path.join(repoRoot, 'subgraph', 'aave-v3.yaml')],
    syncTimeoutMs: 3 * 3600_000,
    log: (l) => console.error(`[bench] ${l}`),
  });
  try {
    const { indexing, scenario } = stack;
    const events = indexing.handlerCalls;
    const result = {
      accounts,
      seed,
      scenarioActions: scenario?.counts,
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
    await stack.stop();
    fs.rmSync(workDir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
