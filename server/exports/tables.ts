/**
 * The exportable tables (docs/methodology.md, "Exports"): each is a GraphQL query of the gateway's own
 * API, paged, and a column list (dotted paths into an item). Rows are the API's rows by
 * construction; the columns are documented in the methodology.
 */
export type ColumnType = 'STRING' | 'INT' | 'BOOLEAN';

export interface Column {
  /** Dotted path in the API's item, e.g. "debtAsset.symbol"; the column is named with "_" for ".". */
  path: string;
  type: ColumnType;
}

export interface Table {
  name: string;
  /** The root field and its fixed arguments' declarations (the export's URL parameters fill them). */
  field: string;
  /** URL parameter -> GraphQL argument type; `protocol` is required everywhere. */
  params: Record<string, 'String!' | 'ID!' | 'Int' | 'Int!' | 'HistoryInterval!' | 'String'>;
  /** Whether the field takes first/skip (a page with items) or returns one object with `points`. */
  paged: boolean;
  columns: Column[];
}

const s = (path: string): Column => ({ path, type: 'STRING' });
const i = (path: string): Column => ({ path, type: 'INT' });
const b = (path: string): Column => ({ path, type: 'BOOLEAN' });
const token = (prefix: string) => [s(`${prefix}.address`), s(`${prefix}.symbol`), i(`${prefix}.decimals`)];
const range = { fromBlock: 'Int', toBlock: 'Int' } as const;

export const TABLES: Record<string, Table> = {
  accounts: {
    name: 'accounts',
    field: 'accounts',
    params: { protocol: 'ID!', block: 'Int' },
    paged: true,
    columns: [s('address'), s('collateralUSD'), s('suppliedUSD'), s('debtUSD'), s('healthFactor'), b('liquidatable'), b('unliquidatable'), s('debtToEquity'), b('negativeEquity'), s('badDebtUSD'), s('netValueUSD'), s('ltv'), s('liquidationThreshold'), i('eModeCategory')],
  },
  liquidations: {
    name: 'liquidations',
    field: 'liquidations',
    params: { protocol: 'ID!', ...range },
    paged: true,
    columns: [s('id'), i('block'), i('timestamp'), s('txHash'), s('borrower'), s('liquidator'), s('debtMarket'), s('collateralMarket'), ...token('debtAsset'), ...token('collateralAsset'), s('debtRepaid'), s('collateralSeized'), s('protocolFee'), b('receiveAToken'), s('debtRepaidUSD'), s('collateralSeizedUSD'), s('protocolFeeUSD'), s('liquidatorProfitUSD')],
  },
  'realized-bad-debts': {
    name: 'realized-bad-debts',
    field: 'realizedBadDebts',
    params: { protocol: 'ID!', ...range },
    paged: true,
    columns: [s('id'), s('kind'), i('block'), i('timestamp'), s('txHash'), s('account'), s('market'), ...token('asset'), s('amount'), s('amountUSD'), s('liquidation.id')],
  },
  'socialized-losses': {
    name: 'socialized-losses',
    field: 'socializedLosses',
    params: { protocol: 'ID!', ...range },
    paged: true,
    columns: [s('id'), i('block'), i('timestamp'), s('txHash'), s('account'), s('market'), ...token('asset'), s('badDebtAssets'), s('badDebtShares'), s('amountUSD'), s('totalSupplyAssetsBefore'), s('totalSupplyAssetsAfter'), s('totalSupplyShares'), s('lossPerShare'), s('liquidation')],
  },
  history: {
    name: 'history',
    field: 'history',
    params: { protocol: 'String!', market: 'String', fromTimestamp: 'Int!', toTimestamp: 'Int', interval: 'HistoryInterval!' },
    paged: false,
    columns: [
      i('intervalStart'), i('intervalEnd'), i('block.number'), s('block.hash'), i('block.timestamp'), s('latentBadDebtUSD'), i('insolventAccounts'), i('liquidatableAccounts'), s('liquidatableDebtUSD'), s('totalBorrowedUSD'),
      s('solvencyRatio'), s('equityUSD'), s('debtToEquity'), s('coverageRatio'), s('outstandingDeficitUSD'), i('liquidations'), i('liquidators'), s('liquidatedDebtUSD'), s('liquidationBonusUSD'),
      s('liquidationProtocolFeeUSD'), i('realizedBadDebts'), s('realizedBadDebtUSD'), s('socializedLossUSD'), i('unpricedEvents'),
    ],
  },
};

export const columnName = (c: Column) => c.path.replace(/\./g, '_');

/** The GraphQL selection of the columns' paths ("a b.c b.d" -> "a b { c d }"). */
export function selection(paths: string[]): string {
  const tree = new Map<string, string[]>();
  for (const p of paths) {
    const [head, ...rest] = p.split('.');
    const list = tree.get(head) ?? tree.set(head, []).get(head)!;
    if (rest.length) list.push(rest.join('.'));
  }
  return [...tree].map(([k, sub]) => (sub.length ? `${k} { ${selection(sub)} }` : k)).join(' ');
}

/** A column's value in an API item (null when any step is null). */
export function valueAt(item: unknown, path: string): unknown {
  let v = item;
  for (const k of path.split('.')) v = v === null || v === undefined ? null : (v as Record<string, unknown>)[k];
  return v ?? null;
}
