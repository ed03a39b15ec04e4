/**
 * The replay's in-memory store: entity versions by block, as graph-node keeps them (each version
 * visible from the block that wrote it until the next one), built from a recording and optionally
 * grown to N accounts:
 *   - every account holding an open position at the base block is cloned (clone 0 is the recorded
 *     account itself; clone c >= 1 gets a deterministic new address), with every row that carries it
 *     (entities with an `account` reference whose id ends with the account's address: positions,
 *     protocol accounts), so the clones spread over the id space like real addresses;
 *   - each market's totals grow with its cloned positions: scaled supply and debt by the clones'
 *     balances, positionCount by their count, and the totals that follow the debt (accrued to
 *     treasury, isolation-mode debt, deficits) by the market's debt ratio; the figures stay those of
 *     a protocol with N such accounts (ratios unchanged, sums about N / recorded accounts times);
 *   - the head block's changes are the recorded ones only (a few dozen positions, clone 0), added on
 *     top of the grown base;
 *   - with `headBlocks` > 1, block base + j (j >= 2) repeats the recorded change on clone j - 1 of the
 *     same accounts (the market totals move by the recorded delta once more, the indexes stay the
 *     recorded head's), with a synthetic header chained to the previous one (hash, parent hash, 12 s
 *     later): a head that keeps moving, each block changing a few dozen positions.
 */
import { createHash } from 'node:crypto';
import type { EntityType } from './entities';
import type { Recording, Row } from './recording';

export interface Version {
  /** First block this version is visible at (base versions: the base block, meaning "at or before"). */
  from: number;
  row: Row;
}

export class Table {
  /** Ids in graph-node's order (Bytes ids compare bytewise: lowercase hex strings of one width do too). */
  ids: string[] = [];
  readonly versions = new Map<string, Version[]>();
  /** block -> ids (sorted) with a version written in that block, for `_change_block`. */
  readonly changedIn = new Map<number, string[]>();
  private readonly indexes = new Map<string, Map<string, string[]>>();

  constructor(readonly type: EntityType) {}

  add(row: Row, from: number): void {
    const id = row.id;
    // graph-node answers ids and Bytes in lower case; filters compare them as they are stored.
    if (id !== id.toLowerCase() || (referenceId(row.account) ?? '') !== ((row.account as { id?: string } | undefined)?.id ?? '')) throw new Error(`${this.type.name} ${id}: ids must be lower case`);
    let list = this.versions.get(id);
    if (!list) this.versions.set(id, (list = []));
    if (list.length && list[list.length - 1].from >= from) throw new Error(`${this.type.name} ${id}: versions out of order`);
    list.push({ from, row });
  }

  /** Sorts ids and indexes changes; call once every row is in. */
  seal(base: number): void {
    this.ids = [...this.versions.keys()].sort();
    this.changedIn.clear();
    for (const id of this.ids) {
      for (const v of this.versions.get(id)!) {
        if (v.from === base) continue;
        let ids = this.changedIn.get(v.from);
        if (!ids) this.changedIn.set(v.from, (ids = []));
        ids.push(id);
      }
    }
    this.indexes.clear();
  }

  at(id: string, block: number): Row | undefined {
    const list = this.versions.get(id);
    if (!list) return undefined;
    for (let i = list.length - 1; i >= 0; i--) if (list[i].from <= block) return list[i].row;
    return undefined;
  }

  /** Ids whose rows ever had `field` (a reference) = value, sorted; built on first use. */
  idsWhere(field: string, value: string): string[] {
    let index = this.indexes.get(field);
    if (!index) {
      index = new Map();
      for (const id of this.ids) {
        const seen = new Set<string>();
        for (const v of this.versions.get(id)!) {
          const ref = referenceId(v.row[field]);
          if (ref === undefined || seen.has(ref)) continue;
          seen.add(ref);
          let ids = index.get(ref);
          if (!ids) index.set(ref, (ids = []));
          ids.push(id);
        }
      }
      this.indexes.set(field, index);
    }
    return index.get(value.toLowerCase()) ?? [];
  }
}

export function referenceId(value: unknown): string | undefined {
  if (value && typeof value === 'object' && typeof (value as { id?: unknown }).id === 'string') return (value as { id: string }).id.toLowerCase();
  return undefined;
}

export interface StoreSummary {
  /** Accounts with an open position at the base block, recorded and served. */
  recordedAccounts: number;
  accounts: number;
  /** Position rows (open and closed) served at the base block, and those open. */
  positions: number;
  openPositions: number;
  /** Rows the head block changes, by entity type. */
  headChanges: Record<string, number>;
}

export class ReplayStore {
  readonly tables = new Map<string, Table>();
  private readonly metas = new Map<number, Record<string, unknown>>();
  head: number;

  constructor(
    readonly types: Map<string, EntityType>,
    readonly base: number,
    readonly summary: StoreSummary,
  ) {
    this.head = base;
  }

  table(typeName: string): Table {
    let t = this.tables.get(typeName);
    if (!t) {
      const type = this.types.get(typeName);
      if (!type) throw new Error(`the recording has rows of ${typeName}, which the subgraph schema does not define`);
      this.tables.set(typeName, (t = new Table(type)));
    }
    return t;
  }

  setMeta(block: number, meta: Record<string, unknown>): void {
    this.metas.set(block, meta);
  }

  meta(): Record<string, unknown> {
    return this.metas.get(this.head)!;
  }

  /** The number of a block the store knows by hash (graph-node: only blocks it stored), else null. */
  numberOfHash(hash: string): number | null {
    for (const [n, m] of this.metas) if ((m.block as { hash?: string } | undefined)?.hash?.toLowerCase() === hash.toLowerCase()) return n;
    return null;
  }

  /** Blocks the store can serve as its head. */
  blocks(): number[] {
    return [...this.metas.keys()].sort((a, b) => a - b);
  }

  setHead(block: number): void {
    if (!this.metas.has(block)) throw new Error(`the replay has no block ${block} (it has ${this.blocks().join(', ')})`);
    this.head = block;
  }
}

/** Clone c of an address: the address itself for c = 0, else 20 bytes of sha256(address/c). */
export function cloneAddress(address: string, c: number): string {
  if (c === 0) return address;
  return `0x${createHash('sha256').update(`${address.toLowerCase()}/${c}`).digest('hex').slice(0, 40)}`;
}

/** A row carries an account when it references one and its id ends with that account's address. */
function accountOf(row: Row): string | undefined {
  const account = referenceId(row.account);
  return account && row.id.toLowerCase().endsWith(account.slice(2)) ? account : undefined;
}

function cloneRow(row: Row, account: string, address: string): Row {
  return { ...row, id: row.id.slice(0, -40) + address.slice(2), account: { ...(row.account as object), id: address } };
}

/** Market totals that are sums over the market's positions, and the position field each sums. */
const SUMMED: Record<string, string> = { scaledTotalSupply: 'scaledSupplyBalance', scaledTotalVariableDebt: 'scaledVariableDebt' };
/** Market totals that follow its debt: scaled by the market's debt ratio (grown / recorded). */
const DEBT_FOLLOWING = ['accruedToTreasuryScaled', 'isolationModeTotalDebt', 'deficit', 'totalRealizedBadDebt', 'totalDeficitCovered'];

interface Growth {
  sums: Record<string, bigint>;
  count: number;
}

/**
 * A market's totals: on the Market row (counts, realized bad debt) and on the family entity it
 * embeds (the Aave reserve's accounting: `aaveReserveState { scaledTotalSupply ... }`).
 */
function totalsOf(row: Row): Record<string, unknown> {
  const nested = Object.values(row).filter((v): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v));
  return Object.assign({}, ...nested, row);
}

/** `row` with `changes` written where each field lives (the row itself or an embedded family entity). */
function withTotals(row: Row, changes: Record<string, unknown>): Row {
  const out: Row = { ...row };
  for (const [key, v] of Object.entries(row)) {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) continue;
    const mine = Object.keys(changes).filter((f) => f in v);
    if (mine.length) out[key] = { ...v, ...Object.fromEntries(mine.map((f) => [f, changes[f]])) };
  }
  for (const f of Object.keys(changes)) if (f in row) out[f] = changes[f];
  return out;
}

/** A market row with `growth` added to its summed totals and count (`times` times), its debt-following totals scaled. */
function grownMarket(row: Row, growth: Growth | undefined, debtRatio: { num: bigint; den: bigint } | undefined, times = 1n): Row {
  if (!growth) return row;
  const totals = totalsOf(row);
  const changes: Record<string, unknown> = {};
  for (const [total, field] of Object.entries(SUMMED)) if (typeof totals[total] === 'string') changes[total] = String(BigInt(totals[total] as string) + times * (growth.sums[field] ?? 0n));
  if (typeof totals.positionCount === 'number') changes.positionCount = totals.positionCount + Number(times) * growth.count;
  if (debtRatio && debtRatio.den > 0n) {
    for (const f of DEBT_FOLLOWING) if (typeof totals[f] === 'string') changes[f] = String((BigInt(totals[f] as string) * debtRatio.num) / debtRatio.den);
  }
  return withTotals(row, changes);
}

/**
 * The store for a recording: its own rows (`accounts` absent or equal to the recorded count) or
 * grown to `accounts` accounts with an open position at the base block.
 */
export function synthesize(recording: Recording, types: Map<string, EntityType>, options: { accounts?: number; headBlocks?: number } = {}): ReplayStore {
  const { base, head } = recording;
  const positions = base.rows.Position ?? [];
  const openAccounts = [...new Set(positions.filter((p) => p.open === true).map((p) => accountOf(p)!))].sort();
  const n0 = openAccounts.length;
  const target = options.accounts ?? n0;
  if (target < n0) throw new Error(`cannot shrink ${n0} recorded accounts to ${target}`);
  const q = Math.floor(target / n0);
  const r = target % n0;
  const copies = new Map<string, number>(openAccounts.map((a, i) => [a, q + (i < r ? 1 : 0)]));
  // Accounts with only closed positions are cloned too (their closed rows are part of a real store's size).
  const copiesOf = (account: string) => copies.get(account) ?? q;

  // Base rows, account-carrying ones cloned; growth of each market from its cloned positions.
  const grown = new Map<string, Row[]>();
  const growth = new Map<string, Growth>();
  for (const [typeName, rows] of Object.entries(base.rows)) {
    const out: Row[] = [];
    for (const row of rows) {
      out.push(row);
      const account = accountOf(row);
      if (!account) continue;
      for (let c = 1; c < copiesOf(account); c++) {
        const clone = cloneRow(row, account, cloneAddress(account, c));
        out.push(clone);
        if (typeName !== 'Position') continue;
        const market = referenceId(row.market);
        if (!market) throw new Error('a recorded position has no market');
        let g = growth.get(market);
        if (!g) growth.set(market, (g = { sums: {}, count: 0 }));
        g.count++;
        for (const field of Object.values(SUMMED)) g.sums[field] = (g.sums[field] ?? 0n) + BigInt((row[field] as string | undefined) ?? '0');
      }
    }
    grown.set(typeName, out);
  }
  const debtRatios = new Map<string, { num: bigint; den: bigint }>();
  for (const m of base.rows.Market ?? []) {
    const debt = BigInt((totalsOf(m).scaledTotalVariableDebt as string | undefined) ?? '0');
    const g = growth.get(m.id.toLowerCase());
    if (g) debtRatios.set(m.id.toLowerCase(), { num: debt + (g.sums.scaledVariableDebt ?? 0n), den: debt });
  }
  const adjust = (typeName: string, row: Row) => (typeName === 'Market' ? grownMarket(row, growth.get(row.id.toLowerCase()), debtRatios.get(row.id.toLowerCase())) : row);

  const openCount = (grown.get('Position') ?? []).filter((p) => p.open === true).length;
  const store = new ReplayStore(types, base.number, {
    recordedAccounts: n0,
    accounts: target,
    positions: (grown.get('Position') ?? []).length,
    openPositions: openCount,
    headChanges: Object.fromEntries(Object.entries(head.rows).map(([t, rows]) => [t, rows.length])),
  });
  for (const [typeName, rows] of grown) {
    const table = store.table(typeName);
    for (const row of rows) table.add(adjust(typeName, row), base.number);
  }
  for (const [typeName, rows] of Object.entries(head.rows)) {
    const table = store.table(typeName);
    for (const row of rows) table.add(adjust(typeName, row), head.number);
  }
  store.setMeta(base.number, base.meta);
  store.setMeta(head.number, head.meta);
  addRepeatedHeads(store, recording, options.headBlocks ?? 1, adjust);
  for (const t of store.tables.values()) t.seal(base.number);
  return store;
}

/** Blocks head + 1 .. base + headBlocks: the recorded change again, on clone j - 1 (see synthesize). */
function addRepeatedHeads(store: ReplayStore, recording: Recording, headBlocks: number, adjust: (typeName: string, row: Row) => Row): void {
  const { base, head } = recording;
  const before = new Map((base.rows.Market ?? []).map((m) => [m.id, totalsOf(m)]));
  // The recorded block's change to each market's summed totals, repeated once per block.
  const delta = new Map<string, Growth>();
  for (const row of head.rows.Market ?? []) {
    const m = totalsOf(row);
    const was = before.get(row.id);
    const sums = Object.fromEntries(Object.entries(SUMMED).map(([total, field]) => [field, BigInt((m[total] as string | undefined) ?? '0') - BigInt((was?.[total] as string | undefined) ?? '0')]));
    delta.set(row.id, { sums, count: ((m.positionCount as number | undefined) ?? 0) - ((was?.positionCount as number | undefined) ?? 0) });
  }
  const headBlock = (head.meta as { block: Record<string, unknown> }).block;
  let parentHash = headBlock.hash as string;
  for (let j = 2; j <= headBlocks; j++) {
    const number = base.number + j;
    for (const [typeName, rows] of Object.entries(head.rows)) {
      const table = store.table(typeName);
      for (const row of rows) {
        const account = accountOf(row);
        const moved = typeName === 'Market' ? grownMarket(adjust(typeName, row), delta.get(row.id), undefined, BigInt(j - 1)) : account ? cloneRow(row, account, cloneAddress(account, j - 1)) : row;
        table.add(moved, number);
      }
    }
    const hash = `0x${createHash('sha256').update(`replay/${recording.base.number}/${number}`).digest('hex')}`;
    store.setMeta(number, { ...head.meta, block: { ...headBlock, number, hash, parentHash, timestamp: (headBlock.timestamp as number) + 12 * (j - 1) } });
    parentHash = hash;
  }
}
