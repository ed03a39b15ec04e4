/**
 * Prometheus metrics (`GET /metrics`, text format, prom-client): per protocol and per market gauges of
 * the figures the query API serves, set from the follow loop's views each time a protocol's indexed
 * head moves (so a scrape reads what `protocol(id, block: baddebt_view_block)` answers), each
 * subgraph's indexed block and lag behind the chain's head at every follow tick, and the gateway's
 * own requests. Names follow Prometheus conventions: a `baddebt_` prefix, base units in the name
 * (`_usd`, `_seconds`, `_ratio`), `_total` only on counters; USD gauges are the query API's decimal
 * strings as doubles (Prometheus has no other number). A figure the API answers null (a ratio with
 * a zero denominator, a market without a USD price) has no series rather than a made-up value.
 */
import client from 'prom-client';
import { formatRatio, formatUnits } from './metrics/decimal';
import { tallyAccounts } from './metrics/solvency';
import type { AlertHub, HeadEvent } from './alerts/hub';
import type { LagReading } from './alerts/rules';
import type { MarketView, ProtocolView } from './views/model';

export interface GatewayMetrics {
  contentType: string;
  render(): Promise<string>;
  /** One HTTP request answered: route (graphql, health, metrics), status code, seconds. */
  observeRequest(route: string, status: number, seconds: number): void;
  setWebSocketConnections(count: () => number): void;
  /** One webhook delivery attempt's outcome (delivered, attempt_failed, given_up, dropped). */
  observeWebhook(target: string, outcome: string): void;
  stop(): void;
}

const P = 'baddebt_';
const PROTOCOL_LABELS = ['endpoint', 'protocol', 'slug'] as const;
const MARKET_LABELS = ['endpoint', 'protocol', 'market', 'asset'] as const;

/** Per-protocol and per-market gauges: name, help, and the value (null: no series). */
type Figure<V> = [string, string, (v: V) => number | null];

/** The counts and sums the resolvers read (schema/resolvers.ts `tally`): the same function, the same figures. */
const tallyOf = (v: ProtocolView) => tallyAccounts(v.borrowerTotals, 0n);
const num = (text: string | null) => (text === null ? null : Number(text));
const usd = (v: { protocol: { baseDecimals: number } }, x: bigint) => Number(formatUnits(x, v.protocol.baseDecimals));

function insolventDebt(v: ProtocolView): bigint {
  let total = 0n;
  for (const a of v.borrowerTotals) if (a.risk.insolvent) total += a.debtBase;
  return total;
}

const PROTOCOL_FIGURES: Figure<ProtocolView>[] = [
  ['view_block', 'Block the protocol figures are at (the query API answers the same at this block).', (v) => v.block.number],
  ['accounts', 'Accounts with any position.', (v) => v.accountCount],
  ['total_supplied_usd', 'Supplied value, USD (base currency).', (v) => usd(v, v.totalSuppliedBase)],
  ['total_borrowed_usd', 'Outstanding debt, USD.', (v) => usd(v, v.sheet.debtBase)],
  ['latent_bad_debt_usd', 'Sum over accounts of max(0, debt - collateral), USD.', (v) => usd(v, v.sheet.latentBadDebtBase)],
  ['insolvent_debt_usd', 'Debt of insolvent accounts, USD.', (v) => usd(v, insolventDebt(v))],
  ['solvency_ratio', '(available liquidity + debt - latent bad debt) / supplier claims.', (v) => num(formatRatio(v.solvency.solvencyRatio))],
  ['equity_usd', 'available liquidity + debt - latent bad debt - supplier claims, USD.', (v) => usd(v, v.solvency.equityBase)],
  ['coverage_ratio', 'reserves / latent bad debt (no series without bad debt).', (v) => num(formatRatio(v.solvency.coverageRatio))],
  ['outstanding_deficit_usd', 'Realized bad debt booked and not yet covered (Aave reserve deficit), USD.', (v) => usd(v, v.sheet.outstandingDeficitBase)],
  ['reserves_usd', "The protocol's own cushion, USD.", (v) => usd(v, v.sheet.reservesBase)],
  ['insurance_fund_usd', 'A fund that pays losses before suppliers (Gearbox V3: the treasury pool shares), USD; no series where the family has none.', (v) => (v.insuranceFund ? usd(v, v.insuranceFund.balanceBase) : null)],
];

const MARKET_FIGURES: Figure<MarketView>[] = [
  ['market_total_borrowed_usd', 'Outstanding debt of the market, USD.', (m) => (m.valued ? usd(m, m.sheet.debtBase) : null)],
  ['market_latent_bad_debt_usd', 'Latent bad debt allocated to the market, USD.', (m) => (m.valued ? usd(m, m.sheet.latentBadDebtBase) : null)],
  ['market_insolvent_accounts', 'Insolvent accounts owing the market.', (m) => m.tally.insolventAccounts],
  ['market_liquidatable_accounts', 'Liquidatable accounts owing the market with collateral to seize.', (m) => m.tally.liquidatableAccounts],
  ['market_liquidatable_debt_usd', 'Market debt of those accounts, USD.', (m) => (m.valued ? usd(m, m.tally.liquidatableDebtBase) : null)],
  ['market_solvency_ratio', 'Market solvency ratio.', (m) => num(formatRatio(m.solvency.solvencyRatio))],
  ['market_equity_usd', 'Market equity, USD.', (m) => (m.valued ? usd(m, m.solvency.equityBase) : null)],
  ['market_coverage_ratio', 'Market reserves / latent bad debt.', (m) => num(formatRatio(m.solvency.coverageRatio))],
  ['market_outstanding_deficit_usd', 'Market deficit booked and not covered, USD.', (m) => (m.valued ? usd(m, m.sheet.outstandingDeficitBase) : null)],
];

export function createGatewayMetrics(hub: AlertHub): GatewayMetrics {
  const registry = new client.Registry();
  client.collectDefaultMetrics({ register: registry, prefix: `${P}gateway_` });
  const gauge = (name: string, help: string, labelNames: readonly string[]) => new client.Gauge({ name: `${P}${name}`, help, labelNames: [...labelNames], registers: [registry] });
  const protocolGauges = PROTOCOL_FIGURES.map(([name, help, f]) => ({ g: gauge(name, help, PROTOCOL_LABELS), f }));
  // The tally's liquidatable figures are the resolvers' (borrowers with collateral left to seize).
  const tallied = [
    { g: gauge('insolvent_accounts', 'Accounts whose debt exceeds their collateral.', PROTOCOL_LABELS), key: 'insolventAccounts' as const },
    { g: gauge('liquidatable_accounts', 'Liquidatable accounts (health factor < 1) with collateral left to seize.', PROTOCOL_LABELS), key: 'liquidatableAccounts' as const },
    { g: gauge('unliquidatable_accounts', 'Accounts owing debt with no collateral left (dead debt).', PROTOCOL_LABELS), key: 'unliquidatableAccounts' as const },
  ];
  const liquidatableDebt = gauge('liquidatable_debt_usd', 'Debt of liquidatable accounts, USD.', PROTOCOL_LABELS);
  const realized = gauge('realized_bad_debt_usd', 'Bad debt booked as a loss since inception (each at its block price), USD.', PROTOCOL_LABELS);
  const socialized = gauge('socialized_loss_usd', 'Losses written off against suppliers since inception, USD.', PROTOCOL_LABELS);
  const marketGauges = MARKET_FIGURES.map(([name, help, f]) => ({ g: gauge(name, help, MARKET_LABELS), f }));
  const indexedBlock = gauge('subgraph_indexed_block', "The subgraph's latest indexed block.", ['endpoint']);
  const lagSeconds = gauge('subgraph_lag_seconds', "Seconds the subgraph is behind the chain's head (RPC), at least the wall-clock time the chain has been ahead of it.", ['endpoint']);
  const lagBlocks = gauge('subgraph_lag_blocks', "Blocks the subgraph is behind the chain's head (RPC).", ['endpoint']);
  const chainHead = gauge('chain_head_block', "The chain's head as the RPC answers it.", []);
  const requests = new client.Counter({ name: `${P}gateway_http_requests_total`, help: 'HTTP requests answered, by route and status code.', labelNames: ['route', 'status'], registers: [registry] });
  const durations = new client.Histogram({ name: `${P}gateway_http_request_duration_seconds`, help: 'Time to answer an HTTP request, by route.', labelNames: ['route'], buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30], registers: [registry] });
  const webhooks = new client.Counter({ name: `${P}webhook_deliveries_total`, help: 'Webhook delivery attempts by target and outcome (delivered, attempt_failed, given_up, dropped).', labelNames: ['target', 'outcome'], registers: [registry] });
  let wsCount: () => number = () => 0;
  new client.Gauge({ name: `${P}gateway_websocket_connections`, help: 'Open WebSocket (graphql-ws) connections.', registers: [registry], collect() { this.set(wsCount()); } });

  const setOrRemove = (g: client.Gauge, labels: Record<string, string>, value: number | null) => (value === null || !Number.isFinite(value) ? g.remove(labels) : g.set(labels, value));
  const onHead = async (e: HeadEvent) => {
    const v = e.view;
    const losses = await e.losses().catch(() => null);
    const labels = { endpoint: e.handle.endpoint, protocol: v.protocol.id, slug: v.protocol.slug };
    // All of one block's figures are set together, after the one asynchronous read.
    for (const { g, f } of protocolGauges) setOrRemove(g, labels, f(v));
    const t = tallyOf(v);
    for (const { g, key } of tallied) g.set(labels, t[key]);
    liquidatableDebt.set(labels, usd(v, t.liquidatableDebtBase));
    const sum = (list: { valueBase: bigint | null }[]) => list.reduce((s, x) => s + (x.valueBase ?? 0n), 0n);
    setOrRemove(realized, labels, losses ? usd(v, sum(losses.realized)) : null);
    setOrRemove(socialized, labels, losses ? usd(v, sum(losses.socialized)) : null);
    for (const m of v.markets) {
      const ml = { endpoint: e.handle.endpoint, protocol: v.protocol.id, market: m.id, asset: m.symbol ?? m.asset };
      for (const { g, f } of marketGauges) setOrRemove(g, ml, f(m));
    }
  };
  const onLag = (r: LagReading) => {
    indexedBlock.set({ endpoint: r.endpoint }, r.indexed.number);
    lagSeconds.set({ endpoint: r.endpoint }, r.lagSeconds);
    if (r.chainHead) {
      chainHead.set(r.chainHead.number);
      lagBlocks.set({ endpoint: r.endpoint }, Math.max(0, r.chainHead.number - r.indexed.number));
    }
  };
  let pending: Promise<void> = Promise.resolve();
  const stop = hub.listen((e) => {
    if (e.kind === 'lag') return onLag(e.cur);
    pending = pending.then(() => onHead(e)).catch(() => undefined);
  });
  return {
    contentType: registry.contentType,
    render: () => registry.metrics(),
    observeRequest(route, status, seconds) {
      requests.inc({ route, status: String(status) });
      durations.observe({ route }, seconds);
    },
    observeWebhook(target, outcome) {
      webhooks.inc({ target, outcome });
    },
    setWebSocketConnections(count) {
      wsCount = count;
    },
    stop,
  };
}
