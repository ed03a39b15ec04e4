/**
 * Research queries over the replay (Aave V3.0, 50 accounts, no RPC): wall time of `protocol`,
 * `stress` (two recomputed views) and `liquidationCurve` (steps + 1 recomputed views), warm (the
 * block's reads cached), median of RUNS. Prints one JSON line. `npm run bench:research`.
 */
import { replayRecording, startReplayGateway } from '../test/support/replay-gateway';

const RUNS = Number(process.env.BENCH_RUNS ?? 15);

async function main() {
  const { url, stop } = await startReplayGateway();
  try {
    const ask = async (query: string) => {
      const t = performance.now();
      const body = (await (await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query }) })).json()) as { errors?: unknown; data: any };
      if (body.errors) throw new Error(JSON.stringify(body.errors));
      return { ms: performance.now() - t, data: body.data };
    };
    const p = (await ask('{ protocols { id markets { asset { address } } } }')).data.protocols[0];
    const asset = p.markets[0].asset.address;
    const queries: Record<string, string> = {
      protocol: `{ protocol(id: "${p.id}") { latentBadDebtUSD liquidatableAccounts } }`,
      stress: `{ stress(protocol: "${p.id}", shocks: [{ asset: "${asset}", change: "-0.3" }]) { after { latentBadDebtUSD unprofitableDebtUSD } accounts { totalCount } } }`,
      liquidationCurve18: `{ liquidationCurve(protocol: "${p.id}", asset: "${asset}", steps: 18) { points { liquidatableCollateral } } }`,
    };
    const out: Record<string, number> = {};
    for (const [name, q] of Object.entries(queries)) {
      await ask(q);
      const times: number[] = [];
      for (let i = 0; i < RUNS; i++) times.push((await ask(q)).ms);
      out[`${name}MedianMs`] = Math.round(times.sort((a, b) => a - b)[Math.floor(RUNS / 2)] * 10) / 10;
    }
    console.log(JSON.stringify({ fixture: replayRecording.endpoint, runs: RUNS, ...out }));
  } finally {
    await stop();
  }
}
void main();
