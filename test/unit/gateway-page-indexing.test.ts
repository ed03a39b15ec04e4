import { replayRecording, startReplayGateway } from '../support/replay-gateway';
import { gql } from '../support/gateway-client';

/**
 * Every result carries the indexing status of its subgraph in one shape (IndexingStatus), pages as
 * well as views: the pages used to return the subgraph's raw state, so `indexedBlock` and
 * `secondsBehind` failed as null (found by typing the resolvers from the SDL).
 */
let stop: () => Promise<void>;
let url: string;
beforeAll(async () => {
  ({ url, stop } = await startReplayGateway());
});
afterAll(() => stop());

const INDEXING = 'indexing { endpoint indexedBlock { number hash timestamp } hasIndexingErrors secondsBehind }';

// The replay holds no liquidations or realized bad debts; those two pages build `indexing` the same way.
it.each([
  ['accounts', `accounts(protocol: "${replayRecording.endpoint}", first: 1)`],
  ['socializedLosses', `socializedLosses(protocol: "${replayRecording.endpoint}", first: 1)`],
])('%s answers the same indexing status as protocol', async (field, call) => {
  const body = await gql(url, `{ page: ${call} { ${INDEXING} } protocol(id: "${replayRecording.endpoint}") { ${INDEXING} } }`);
  expect(body.errors).toBeUndefined();
  const { page, protocol } = body.data as Record<string, { indexing: { indexedBlock: { number: number }; secondsBehind: number } }>;
  expect(page.indexing.indexedBlock.number).toBe(replayRecording.head.number);
  expect({ ...page.indexing, secondsBehind: 0 }).toEqual({ ...protocol.indexing, secondsBehind: 0 });
  expect(page.indexing.secondsBehind).toBeGreaterThanOrEqual(0);
});

// Arguments with a default are non-null: an explicit null is refused, not run with no order or no threshold.
it.each([
  ['accounts(orderBy: null)', `{ accounts(protocol: "${replayRecording.endpoint}", orderBy: null, first: 1) { totalCount } }`],
  ['atRiskDebtUSD(healthFactorBelow: null)', `{ protocol(id: "${replayRecording.endpoint}") { atRiskDebtUSD(healthFactorBelow: null) } }`],
])('%s is refused with GRAPHQL_VALIDATION_FAILED', async (_name, query) => {
  const body = await gql(url, query);
  expect(body.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
});
