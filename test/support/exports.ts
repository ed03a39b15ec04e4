import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'csv-parse/sync';

/** Downloads an export; fails on a non-200 answer. */
export async function download(url: string): Promise<{ body: Buffer; headers: Headers }> {
  const res = await fetch(url, { signal: AbortSignal.timeout(120_000) });
  const body = Buffer.from(await res.arrayBuffer());
  if (res.status !== 200) throw new Error(`export ${url}: ${res.status} ${body.toString().slice(0, 300)}`);
  return { body, headers: res.headers };
}

/** CSV rows as objects by header, every value a string (csv-parse, RFC 4180). */
export const readCsv = (body: Buffer): Record<string, string>[] => parse(body, { columns: true, skip_empty_lines: true });

/** Parquet rows and key-value metadata through hyparquet, in its own process (it is ESM only). */
export function readParquet(body: Buffer): { rows: Record<string, unknown>[]; metadata: Record<string, string> } {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'export-')), 'f.parquet');
  fs.writeFileSync(file, body);
  try {
    return JSON.parse(execFileSync(process.execPath, [path.join(__dirname, 'read-parquet.mjs'), file], { maxBuffer: 1 << 28 }).toString());
  } finally {
    fs.rmSync(path.dirname(file), { recursive: true, force: true });
  }
}

/** An API item as the CSV writes it (null -> "", booleans and numbers as text) and as Parquet reads back (INT64 as text). */
export function asCsv(row: Record<string, unknown>): Record<string, string> {
  return Object.fromEntries(Object.entries(row).map(([k, v]) => [k, v === null ? '' : String(v)]));
}
export function asParquet(row: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(row).map(([k, v]) => [k, typeof v === 'number' ? String(v) : v]));
}
