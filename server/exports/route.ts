/**
 * GET /export/<table>.<csv|parquet>?protocol=...&block=... (server/http.ts routes here): the API's
 * rows, page by page through the gateway's own GraphQL execution (same limits, same figures), written
 * out as they come. The file names its block range and the methodology version (file name, headers,
 * and Parquet key-value metadata). A failure after the first bytes cuts the connection: a short file
 * never looks complete.
 */
import type http from 'node:http';
import { METHODOLOGY_VERSION } from '../methodology';
import { columnName, selection, TABLES, valueAt, type Table } from './tables';
import { csvWriter, parquetWriter, type RowWriter } from './writers';

export interface ExecResult {
  data?: Record<string, any> | null;
  errors?: readonly { message: string; extensions?: Record<string, unknown> }[];
  extensions?: Record<string, unknown>;
}
export type Execute = (query: string, variables: Record<string, unknown>) => Promise<ExecResult>;

const PATH = /^\/export\/([a-z-]+)\.(csv|parquet)$/;
export const isExportPath = (pathname: string) => PATH.test(pathname);

class ExportError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** URL parameters as GraphQL variables, typed by the table's declaration; unknown or malformed ones refused. */
function variablesOf(table: Table, params: URLSearchParams): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of params) {
    const type = table.params[key];
    if (!type) throw new ExportError(400, 'BAD_USER_INPUT', `unknown parameter "${key}" for ${table.name}; it takes ${Object.keys(table.params).join(', ')}`);
    if (type.startsWith('Int')) {
      if (!/^\d{1,15}$/.test(value)) throw new ExportError(400, 'BAD_USER_INPUT', `${key} must be a non-negative integer, got "${value}"`);
      out[key] = Number(value);
    } else out[key] = value;
  }
  for (const [key, type] of Object.entries(table.params)) if (type.endsWith('!') && out[key] === undefined) throw new ExportError(400, 'BAD_USER_INPUT', `${table.name} needs the parameter ${key}`);
  return out;
}

function queryOf(table: Table, variables: Record<string, unknown>): string {
  const names = Object.keys(variables);
  const decls = [...names.map((n) => `$${n}: ${table.params[n]}`), ...(table.paged ? ['$first: Int!', '$skip: Int!'] : [])];
  const args = [...names.map((n) => `${n}: $${n}`), ...(table.paged ? ['first: $first', 'skip: $skip'] : [])];
  const items = selection(table.columns.map((c) => c.path));
  const body = table.paged ? `block { number } totalCount ${table.name === 'liquidations' ? 'fromBlock toBlock' : ''} items { ${items} }` : `points { ${items} }`;
  return `query Export(${decls.join(', ')}) { page: ${table.field}(${args.join(', ')}) { ${body} } }`;
}

async function run(execute: Execute, query: string, variables: Record<string, unknown>): Promise<{ page: any; warnings: string[] }> {
  const r = await execute(query, variables);
  if (r.errors?.length || !r.data) {
    const e = r.errors?.[0];
    const code = String(e?.extensions?.code ?? 'INTERNAL_ERROR');
    throw new ExportError(/^(BAD_USER_INPUT|.*NOT_FOUND|BLOCK_.*|FIRST_TOO_LARGE|QUERY_TOO_.*|TOO_MANY_POINTS|GRAPHQL_VALIDATION_FAILED)$/.test(code) ? 400 : 502, code, e?.message ?? 'no data');
  }
  return { page: r.data.page, warnings: (r.extensions?.warnings as string[] | undefined) ?? [] };
}

/** Writes the export; answers a JSON error (as every other route) when it fails before the first byte. */
export async function serveExport(url: URL, res: http.ServerResponse, execute: Execute, pageSize: number): Promise<void> {
  const [, name, format] = PATH.exec(url.pathname)!;
  let started = false;
  try {
    const table = TABLES[name];
    if (!table) throw new ExportError(404, 'EXPORT_NOT_FOUND', `no export "${name}"; there are ${Object.keys(TABLES).join(', ')}`);
    const variables = variablesOf(table, url.searchParams);
    // The first page pins the block every later page is read at (a moving head cannot shift pages).
    const pin = table.name === 'accounts' ? 'block' : table.paged ? 'toBlock' : null;
    const paging = table.paged ? { first: pageSize, skip: 0 } : {};
    const first = await run(execute, queryOf(table, variables), { ...variables, ...paging });
    const rows: unknown[] = table.paged ? first.page.items : first.page.points;
    const [from, to] = blockRange(table, variables, first.page, rows);
    const fileName = `${variables.protocol}_${table.name}_blocks-${from}-${to}_methodology-${METHODOLOGY_VERSION}.${format}`.replace(/[^A-Za-z0-9._-]/g, '_');
    const warnings = new Set(first.warnings);
    res.writeHead(200, {
      'content-type': format === 'csv' ? 'text/csv; charset=utf-8' : 'application/vnd.apache.parquet',
      'content-disposition': `attachment; filename="${fileName}"`,
      'x-block-range': `${from}-${to}`,
      'x-methodology-version': METHODOLOGY_VERSION,
      'x-warnings': JSON.stringify([...warnings]).slice(0, 4000),
    });
    started = true;
    const meta = { methodology_version: METHODOLOGY_VERSION, table: table.name, protocol: String(variables.protocol), from_block: String(from), to_block: String(to), columns: table.columns.map(columnName).join(',') };
    const writer: RowWriter = format === 'csv' ? csvWriter(res, table.columns) : await parquetWriter(res, table.columns, meta);
    const put = async (items: unknown[]) => {
      for (const item of items) await writer.write(table.columns.map((c) => valueAt(item, c.path)));
    };
    await put(rows);
    if (table.paged) {
      const pinned = { ...variables, [pin!]: first.page.block.number };
      for (let skip = pageSize; skip < first.page.totalCount; skip += pageSize) {
        const next = await run(execute, queryOf(table, pinned), { ...pinned, first: pageSize, skip });
        next.warnings.forEach((w) => warnings.add(w));
        await put(next.page.items);
      }
    }
    // Parquet's footer is written by close(): every page's warnings end up in it.
    writer.note?.('warnings', JSON.stringify([...warnings]));
    await writer.close();
    res.end();
  } catch (err) {
    if (started) {
      // Mid-file: cut the connection so the download fails visibly rather than ending short.
      res.destroy(err as Error);
      return;
    }
    const e = err instanceof ExportError ? err : new ExportError(500, 'INTERNAL_ERROR', 'the export failed');
    res.writeHead(e.status, { 'content-type': 'application/json; charset=utf-8' });
    res.end(JSON.stringify({ errors: [{ message: e.message, extensions: { code: e.code } }] }));
  }
}

/** The block range a file covers: accounts one block, event tables [fromBlock, toBlock], history its points' blocks. */
function blockRange(table: Table, variables: Record<string, unknown>, page: any, rows: unknown[]): [number, number] {
  if (table.name === 'accounts') return [page.block.number, page.block.number];
  if (table.name === 'liquidations') return [page.fromBlock, page.toBlock];
  if (table.paged) return [Number(variables.fromBlock ?? 0), page.block.number];
  const blocks = rows.map((r) => Number(valueAt(r, 'block.number')));
  return blocks.length ? [Math.min(...blocks), Math.max(...blocks)] : [0, 0];
}
