import { createTestClient, http, type PublicClient, type TestClient } from 'viem';
import { createSubgraphClient, type SubgraphClient } from '../../server/sources/subgraph-client';
import { chainReader } from '../support/chain';
import { startStackProcess, type StackUnderTest } from '../support/stack-process';
import { aaveV3IndexingSuite } from './aave-v3-indexing.suite';
import { aaveMathUtilsSuite } from './aave-math-utils.suite';
import { gatewaySuite } from './gateway.suite';

/**
 * One real stack (anvil + Aave V3 + scenario + Postgres + graph-node), started through the same entry
 * point as `npm start`, shared by every end-to-end suite: bringing it up is the expensive part.
 */
const ACCOUNTS = Number(process.env.E2E_ACCOUNTS ?? 50);
const SEED = process.env.E2E_SEED ?? 'e2e-seed-1';

let stack: StackUnderTest | undefined;
let chain: PublicClient;
let testClient: TestClient;
let aaveV3: SubgraphClient;

beforeAll(async () => {
  stack = await startStackProcess({ accounts: ACCOUNTS, seed: SEED, timeoutMs: 25 * 60_000 });
  chain = chainReader(stack.state.rpcUrl);
  testClient = createTestClient({ mode: 'anvil', transport: http(stack.state.rpcUrl) });
  aaveV3 = createSubgraphClient({ url: stack.state.subgraphs['aave-v3'] });
}, 26 * 60_000);

afterAll(async () => {
  await stack?.stop();
}, 60_000);

const ctx = () => ({ state: stack!.state, chain, subgraph: aaveV3 });

describe('local stack', () => {
  it('indexed the devnet to the head without indexing errors', async () => {
    const { _meta } = await aaveV3.query<{ _meta: { block: { number: number }; hasIndexingErrors: boolean } }>(
      '{ _meta { block { number } hasIndexingErrors } }',
    );
    expect(_meta.hasIndexingErrors).toBe(false);
    expect(_meta.block.number).toBeGreaterThanOrEqual(stack!.state.indexedBlock);
    expect(stack!.output()).toMatch(/indexing: block \d+ of \d+/);
  });
});

describe('Aave V3 subgraph against the chain', () => aaveV3IndexingSuite(ctx));
describe("Aave's own client library (@aave/math-utils) on the indexed data", () => aaveMathUtilsSuite(ctx));
// Runs after the indexing suite: it moves the chain on (time and one block).
describe('gateway against the chain', () => gatewaySuite(() => ({ state: stack!.state, chain, testClient })));
