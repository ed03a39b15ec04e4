/**
 * Row writers onto a byte stream, one row group (Parquet) or one row (CSV) at a time: an export never
 * holds its file in memory. CSV by csv-stringify (RFC 4180 quoting), Parquet by @dsnp/parquetjs.
 */
import { stringify } from 'csv-stringify';
import { ParquetSchema, ParquetWriter } from '@dsnp/parquetjs';
import type { Writable } from 'node:stream';
import { columnName, type Column } from './tables';

export interface RowWriter {
  write(row: unknown[]): Promise<void>;
  close(): Promise<void>;
  /** Key-value metadata written with the file's footer (Parquet; CSV has none). */
  note?(key: string, value: string): void;
}

/** Rows a Parquet row group holds before it is written out (bounds the writer's memory). */
const ROW_GROUP_SIZE = 4096;

const PARQUET_TYPE = { STRING: 'UTF8', INT: 'INT64', BOOLEAN: 'BOOLEAN' } as const;

export async function parquetWriter(out: Writable, columns: Column[], metadata: Record<string, string>): Promise<RowWriter> {
  // Every column optional: the API's nulls (no price, no health factor) stay nulls, never 0 or "".
  const schema = new ParquetSchema(Object.fromEntries(columns.map((c) => [columnName(c), { type: PARQUET_TYPE[c.type], optional: true }])));
  const writer = await ParquetWriter.openStream(schema, out as unknown as Parameters<typeof ParquetWriter.openStream>[1], { rowGroupSize: ROW_GROUP_SIZE });
  for (const [k, v] of Object.entries(metadata)) writer.setMetadata(k, v);
  return {
    write: (row) => writer.appendRow(Object.fromEntries(columns.map((c, k) => [columnName(c), row[k] === null ? null : c.type === 'INT' ? BigInt(row[k] as number) : row[k]]))),
    close: () => writer.close(),
    note: (key, value) => writer.setMetadata(key, value),
  };
}

/** CSV with a header line; null is an empty field, booleans true/false, decimals as the API's strings. */
export function csvWriter(out: Writable, columns: Column[]): RowWriter {
  const csv = stringify({ header: true, columns: columns.map(columnName), cast: { boolean: (v) => (v ? 'true' : 'false') } });
  csv.pipe(out, { end: false });
  const done = new Promise<void>((resolve, reject) => {
    csv.on('end', resolve);
    csv.on('error', reject);
  });
  return {
    // Waits for the stream to drain: a slow client slows the export down instead of filling memory.
    write: (row) => (csv.write(row) ? Promise.resolve() : new Promise<void>((r) => csv.once('drain', () => r()))),
    close: async () => {
      csv.end();
      await done;
    },
  };
}
