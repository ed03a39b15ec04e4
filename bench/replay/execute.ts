/**
 * Answers a graph-node query from the replay store, for the shapes the gateway sends: `_meta`, one
 * entity by id, and collections with `first` (<= 1000), `orderBy: id`, `orderDirection: asc`,
 * `block: { number }` and `where` filters on fields (equality, `_not`, `_gt`, `_gte`, `_lt`, `_lte`,
 * `_in`, `_not_in`; references by id) and `_change_block: { number_gte }`. Every other argument,
 * operator or field is refused (UnsupportedQuery); graph-node's own refusals (a block not indexed yet,
 * `first` over 1000) come back as graph-node words them.
 */
import { typeOfQueryField, type EntityField, type EntityType } from './entities';
import { parseReads, UnsupportedQuery, type Read, type Selection } from './dialect';
import { referenceId, type ReplayStore, type Table } from './store';
import type { Row } from './recording';

/** An error graph-node itself would answer (the query is valid in its dialect). */
export class GraphNodeError extends Error {}

const MAX_FIRST = 1000;
const DEFAULT_FIRST = 100;

function project(value: unknown, selection: Selection[], where: string): Record<string, unknown> {
  const obj = value as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const s of selection) {
    if (!(s.name in obj)) throw new UnsupportedQuery(`the recording has no field ${where}.${s.name}`);
    const v = obj[s.name];
    if (s.sub) {
      out[s.alias] = v === null ? null : Array.isArray(v) ? v.map((x) => project(x, s.sub!, `${where}.${s.name}`)) : project(v, s.sub, `${where}.${s.name}`);
    } else {
      if (v !== null && typeof v === 'object') throw new UnsupportedQuery(`${where}.${s.name} is an object and needs a selection`);
      out[s.alias] = v;
    }
  }
  return out;
}

/** Projected rows as JSON text, per row and selection: a benchmark asks for the same rows run after run. */
const rowJson = new WeakMap<Row, Map<string, string>>();

function projectedRow(row: Row, selection: Selection[], key: string, where: string): string {
  let byKey = rowJson.get(row);
  if (!byKey) rowJson.set(row, (byKey = new Map()));
  let json = byKey.get(key);
  if (json === undefined) byKey.set(key, (json = JSON.stringify(project(row, selection, where))));
  return json;
}

function allowArgs(read: Read, allowed: string[]): void {
  for (const k of Object.keys(read.args)) if (!allowed.includes(k)) throw new UnsupportedQuery(`argument ${k} on ${read.field}`);
}

/** The block a read is answered at: `block: { number }`, `block: { hash }` (of a block the replay has a header for) or the head. */
function blockOf(store: ReplayStore, read: Read): number {
  const arg = read.args.block as Record<string, unknown> | undefined;
  if (arg === undefined) return store.head;
  const keys = Object.keys(arg ?? {});
  if (keys.length === 1 && keys[0] === 'hash' && typeof arg.hash === 'string') {
    const n = store.numberOfHash(arg.hash);
    // graph-node's answer for a hash it never stored (the gateway then reads by number)
    if (n === null) throw new GraphNodeError('Failed to decode `block.hash` value: `no block with that hash found`');
    return n;
  }
  if (keys.length !== 1 || keys[0] !== 'number' || !Number.isInteger(arg.number)) throw new UnsupportedQuery(`block argument ${JSON.stringify(arg)} (only { number: N })`);
  const n = arg.number as number;
  if (n > store.head) throw new GraphNodeError(`Failed to decode \`block.number\` value: \`subgraph has only indexed up to block number ${store.head} and data for block number ${n} is therefore not available\``);
  if (n < store.base) throw new UnsupportedQuery(`block ${n} is before the recording's first block ${store.base}`);
  return n;
}

type Compare = (a: unknown, b: unknown) => number;

/** Compares a stored value with a filter value (ids and Bytes: graph-node answers them in lower case; the filter value is lowered once). */
function comparator(field: EntityField): Compare {
  if (field.reference || field.type === 'Bytes' || field.type === 'ID') return (a, b) => cmp(a as string, b as string);
  if (field.type === 'BigInt') return (a, b) => cmp(BigInt(a as string), BigInt(b as string));
  if (field.type === 'Int') return (a, b) => cmp(Number(a), Number(b));
  if (field.type === 'String') return (a, b) => cmp(String(a), String(b));
  return (a, b) => (a === b ? 0 : NaN);
}
const cmp = <T extends string | number | bigint>(a: T, b: T) => (a < b ? -1 : a > b ? 1 : 0);

type Predicate = (row: Row) => boolean;

interface Plan {
  predicates: Predicate[];
  /** Candidate ids, sorted (null: every id of the table). */
  candidates: string[] | null;
  gt?: string;
  gte?: string;
  lt?: string;
  lte?: string;
}

const OPS = ['not_in', 'not', 'gte', 'gt', 'lte', 'lt', 'in'] as const;

function plan(table: Table, where: Record<string, unknown>, block: number, base: number): Plan {
  const p: Plan = { predicates: [], candidates: null };
  const narrow = (ids: string[]) => {
    if (!p.candidates || ids.length < p.candidates.length) p.candidates = ids;
  };
  for (let [key, value] of Object.entries(where)) {
    if (key === '_change_block') {
      const v = value as Record<string, unknown>;
      if (Object.keys(v).join() !== 'number_gte' || !Number.isInteger(v.number_gte)) throw new UnsupportedQuery(`_change_block ${JSON.stringify(v)}`);
      const since = v.number_gte as number;
      // Base rows are "at or before the base block": only changes after it are known.
      if (since <= base) throw new UnsupportedQuery(`_change_block number_gte ${since}: the recording knows which rows changed only after block ${base}`);
      const ids = [...table.changedIn].filter(([b]) => b >= since && b <= block).flatMap(([, list]) => list);
      narrow([...new Set(ids)].sort());
      const changed = new Set(ids);
      p.predicates.push((row) => changed.has(row.id.toLowerCase()) && versionFrom(table, row) >= since);
      continue;
    }
    const op = OPS.find((o) => key.endsWith(`_${o}`) && table.type.fields.has(key.slice(0, -o.length - 1)));
    const name = op ? key.slice(0, -op.length - 1) : key;
    const field = table.type.fields.get(name);
    if (!field || field.derived || field.list) throw new UnsupportedQuery(`filter ${key} on ${table.type.name}`);
    if (name === 'id' && typeof value === 'string' && op && ['gt', 'gte', 'lt', 'lte'].includes(op)) {
      p[op as 'gt' | 'gte' | 'lt' | 'lte'] = value.toLowerCase();
      continue;
    }
    const compare = comparator(field);
    const get = (row: Row) => {
      if (!(name in row)) throw new UnsupportedQuery(`the recording has no field ${table.type.name}.${name} to filter on`);
      const v = row[name];
      return field.reference ? ((v as { id: string } | null)?.id ?? null) : v;
    };
    const bytes = field.reference || field.type === 'Bytes' || field.type === 'ID';
    const lower = (x: unknown) => (bytes && typeof x === 'string' ? x.toLowerCase() : x);
    value = Array.isArray(value) ? value.map(lower) : lower(value);
    if (!op && field.reference && typeof value === 'string') narrow(table.idsWhere(name, value));
    if (op === 'in' || op === 'not_in') {
      if (!Array.isArray(value)) throw new UnsupportedQuery(`${key} needs a list`);
      const want = op === 'in';
      p.predicates.push((row) => {
        const v = get(row);
        return value.some((x) => v !== null && compare(v, x) === 0) === want;
      });
      continue;
    }
    const test: Record<string, (c: number) => boolean> = { eq: (c) => c === 0, not: (c) => c !== 0, gt: (c) => c > 0, gte: (c) => c >= 0, lt: (c) => c < 0, lte: (c) => c <= 0 };
    const t = test[op ?? 'eq'];
    p.predicates.push((row) => {
      const v = get(row);
      if (v === null || value === null) return (op === 'not') !== (v === value);
      return t(compare(v, value));
    });
  }
  return p;
}

function versionFrom(table: Table, row: Row): number {
  return table.versions.get(row.id.toLowerCase())!.find((v) => v.row === row)!.from;
}

/** First index in sorted `ids` not below `id` (strictly above with `strict`). */
function lowerBound(ids: string[], id: string, strict: boolean): number {
  let lo = 0;
  let hi = ids.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (ids[mid] < id || (strict && ids[mid] === id)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The collection's rows as a JSON array (text). */
function collection(store: ReplayStore, type: EntityType, read: Read): string {
  allowArgs(read, ['first', 'orderBy', 'orderDirection', 'where', 'block']);
  const { first = DEFAULT_FIRST, orderBy = 'id', orderDirection = 'asc', where = {} } = read.args as Record<string, unknown>;
  if (orderBy !== 'id' || orderDirection !== 'asc') throw new UnsupportedQuery(`order ${String(orderBy)} ${String(orderDirection)} (only id asc)`);
  if (!Number.isInteger(first) || (first as number) < 0 || (first as number) > MAX_FIRST) throw new GraphNodeError(`The \`first\` argument must be between 0 and ${MAX_FIRST}, but is ${String(first)}`);
  const block = blockOf(store, read);
  const table = store.tables.get(type.name);
  if (!table) throw new UnsupportedQuery(`the recording has no ${type.name} rows`);
  const p = plan(table, where as Record<string, unknown>, block, store.base);
  const ids = p.candidates ?? table.ids;
  let i = 0;
  if (p.gt !== undefined && (p.gte === undefined || p.gt >= p.gte)) i = lowerBound(ids, p.gt, true);
  else if (p.gte !== undefined) i = lowerBound(ids, p.gte, false);
  const selection = read.selection ?? [];
  const key = JSON.stringify(selection);
  const out: string[] = [];
  for (; i < ids.length && out.length < (first as number); i++) {
    const id = ids[i];
    if ((p.lt !== undefined && id >= p.lt) || (p.lte !== undefined && id > p.lte)) break;
    if (p.gt !== undefined && id <= p.gt) continue;
    if (p.gte !== undefined && id < p.gte) continue;
    const row = table.at(id, block);
    if (!row || !p.predicates.every((f) => f(row))) continue;
    out.push(projectedRow(row, selection, key, type.name));
  }
  return `[${out.join(',')}]`;
}

function single(store: ReplayStore, type: EntityType, read: Read): Record<string, unknown> | null {
  allowArgs(read, ['id', 'block']);
  if (typeof read.args.id !== 'string') throw new UnsupportedQuery(`${read.field} without an id`);
  const block = blockOf(store, read);
  const row = store.tables.get(type.name)?.at(read.args.id.toLowerCase(), block);
  return row ? project(row, read.selection ?? [], type.name) : null;
}

/** The `data` of graph-node's answer to `query`, as JSON text. */
export function execute(store: ReplayStore, query: string, variables?: Record<string, unknown>): string {
  const parts: string[] = [];
  for (const read of parseReads(query, variables ?? {})) {
    if (!read.selection) throw new UnsupportedQuery(`${read.field} without a selection`);
    let json: string;
    if (read.field === '_meta') {
      allowArgs(read, []);
      json = JSON.stringify(project(store.meta(), read.selection, '_meta'));
    } else {
      const found = typeOfQueryField(store.types, read.field);
      if (!found) throw new UnsupportedQuery(`query field ${read.field}`);
      json = found.many ? collection(store, found.type, read) : JSON.stringify(single(store, found.type, read));
    }
    parts.push(`${JSON.stringify(read.alias)}:${json}`);
  }
  return `{${parts.join(',')}}`;
}
