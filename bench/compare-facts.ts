/**
 * Whether two deployments of the same manifest on one graph-node stored the same facts: every entity
 * table (and graph-node's table of dynamic data sources) compared row by row, version history
 * included (a mutable entity keeps one row per version, with the block range it was current in).
 * Ignored: `vid` (a row number graph-node draws per store.set, so it moves when a build saves less
 * often) and the proof of indexing (`poi2$`, a digest of the store.set calls themselves).
 * `node --import tsx bench/compare-facts.ts POSTGRES_URL DEPLOYMENT_A DEPLOYMENT_B` prints the comparison.
 */
import pg from 'pg';

export interface TableDiff {
  rows: [number, number];
  /** Rows (all columns but vid) found in one deployment's table and not the other's, counted with multiplicity. */
  onlyInFirst: number;
  onlyInSecond: number;
}

export interface FactsComparison {
  identical: boolean;
  tables: number;
  rows: number;
  /** Rows per table in the first deployment (a table with none compares nothing). */
  tableRows: Record<string, number>;
  /** Tables whose rows or columns differ, by name. */
  differing: Record<string, TableDiff | { columns: [string[], string[]] }>;
}

const IGNORED_TABLES = new Set(['poi2$']);
const IGNORED_COLUMNS = new Set(['vid']);
const quote = (name: string) => `"${name.replace(/"/g, '""')}"`;

async function schemaOf(client: pg.Client, deployment: string): Promise<string> {
  const r = await client.query<{ name: string }>('select name from public.deployment_schemas where subgraph = $1', [deployment]);
  if (r.rows.length !== 1) throw new Error(`compare-facts: no schema for deployment ${deployment}`);
  return r.rows[0].name;
}

async function columnsOf(client: pg.Client, schema: string): Promise<Map<string, string[]>> {
  const r = await client.query<{ table_name: string; column_name: string }>(
    'select table_name, column_name from information_schema.columns where table_schema = $1 order by table_name, column_name',
    [schema],
  );
  const tables = new Map<string, string[]>();
  for (const { table_name: table, column_name: column } of r.rows) {
    if (IGNORED_TABLES.has(table) || IGNORED_COLUMNS.has(column)) continue;
    tables.set(table, [...(tables.get(table) ?? []), column]);
  }
  return tables;
}

async function count(client: pg.Client, sql: string): Promise<number> {
  const r = await client.query<{ n: string }>(`select count(*) as n from (${sql}) t`);
  return Number(r.rows[0].n);
}

/** Compares the stored facts of two deployments (their hashes as graph-node knows them) in one database. */
export async function compareFacts(postgresUrl: string, first: string, second: string): Promise<FactsComparison> {
  const client = new pg.Client({ connectionString: postgresUrl });
  await client.connect();
  try {
    const [a, b] = [await schemaOf(client, first), await schemaOf(client, second)];
    const [colsA, colsB] = [await columnsOf(client, a), await columnsOf(client, b)];
    const result: FactsComparison = { identical: true, tables: 0, rows: 0, tableRows: {}, differing: {} };
    for (const table of new Set([...colsA.keys(), ...colsB.keys()])) {
      const ca = colsA.get(table) ?? [];
      const cb = colsB.get(table) ?? [];
      result.tables += 1;
      if (ca.join() !== cb.join()) {
        result.identical = false;
        result.differing[table] = { columns: [ca, cb] };
        continue;
      }
      // As text: each deployment has its own enum types, which EXCEPT cannot compare across schemas.
      const select = (schema: string) => `select ${ca.map((c) => `${quote(c)}::text`).join(', ')} from ${quote(schema)}.${quote(table)}`;
      const diff: TableDiff = {
        rows: [await count(client, select(a)), await count(client, select(b))],
        onlyInFirst: await count(client, `${select(a)} except all ${select(b)}`),
        onlyInSecond: await count(client, `${select(b)} except all ${select(a)}`),
      };
      result.rows += diff.rows[0];
      result.tableRows[table] = diff.rows[0];
      if (diff.onlyInFirst || diff.onlyInSecond || diff.rows[0] !== diff.rows[1]) {
        result.identical = false;
        result.differing[table] = diff;
      }
    }
    return result;
  } finally {
    await client.end();
  }
}

if (process.argv[1] && import.meta.url === `file://${process.argv[1]}`) {
  const [url, first, second] = process.argv.slice(2);
  void compareFacts(url, first, second).then((c) => console.log(JSON.stringify(c, null, 2)));
}
