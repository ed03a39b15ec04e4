import { replayRecording as recording, startReplayGateway } from '../support/replay-gateway';
import { asCsv, asParquet, download, readCsv, readParquet } from '../support/exports';

/**
 * Exports over the recorded Aave V3.0 devnet through the real gateway, with pages of 7 rows so that
 * paging is exercised: the CSV (csv-parse) and Parquet (hyparquet) files hold exactly the API's rows,
 * in its order, and name their block and methodology version.
 */
const FIELDS = 'address collateralUSD suppliedUSD debtUSD healthFactor liquidatable unliquidatable debtToEquity negativeEquity badDebtUSD netValueUSD ltv liquidationThreshold eModeCategory';

let stop: () => Promise<void>;
let url: string;
beforeAll(async () => {
  const started = await startReplayGateway({ maxFirst: 7 });
  url = started.url.replace(/\/$/, '');
  stop = started.stop;
});
afterAll(() => stop());

async function apiAccounts(block: number) {
  const items: Record<string, unknown>[] = [];
  for (let skip = 0; ; skip += 7) {
    const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: `{ accounts(protocol: "${recording.endpoint}", block: ${block}, first: 7, skip: ${skip}) { totalCount items { ${FIELDS} } } }` }) });
    const page = ((await res.json()) as any).data.accounts;
    items.push(...page.items);
    if (skip + 7 >= page.totalCount) return items;
  }
}

describe('exports over the replay', () => {
  it('accounts at a block: CSV and Parquet rows equal the API rows (paged), the file names the block and methodology', async () => {
    const block = recording.head.number;
    const want = await apiAccounts(block);
    expect(want.length).toBeGreaterThan(7);
    const csv = await download(`${url}/export/accounts.csv?protocol=${recording.endpoint}&block=${block}`);
    expect(csv.headers.get('content-disposition')).toBe(`attachment; filename="${recording.endpoint}_accounts_blocks-${block}-${block}_methodology-1.2.csv"`);
    expect(readCsv(csv.body)).toEqual(want.map(asCsv));
    const pq = await download(`${url}/export/accounts.parquet?protocol=${recording.endpoint}&block=${block}`);
    const { rows, metadata } = readParquet(pq.body);
    expect(rows).toEqual(want.map(asParquet));
    expect(metadata).toMatchObject({ methodology_version: '1.2', table: 'accounts', from_block: String(block), to_block: String(block) });
  }, 60_000);

  it('refuses bad parameters with a JSON error and a stable code', async () => {
    const cases: [string, number, string][] = [
      ['/export/accounts.csv', 400, 'BAD_USER_INPUT'],
      [`/export/accounts.csv?protocol=${recording.endpoint}&block=-1`, 400, 'BAD_USER_INPUT'],
      [`/export/accounts.csv?protocol=${recording.endpoint}&color=red`, 400, 'BAD_USER_INPUT'],
      [`/export/nothing.parquet?protocol=${recording.endpoint}`, 404, 'EXPORT_NOT_FOUND'],
      ['/export/accounts.csv?protocol=no-such-protocol', 400, 'PROTOCOL_NOT_FOUND'],
    ];
    for (const [path, status, code] of cases) {
      const res = await fetch(url + path);
      expect({ path, status: res.status, code: ((await res.json()) as any).errors[0].extensions.code }).toEqual({ path, status, code });
    }
  });
});
