// The dashboard's script (plain JS, no bundler): reads the gateway's GraphQL API at this same URL and
// follows each protocol's head over graphql-ws (subscription head). Table figures are the API's
// decimal strings as they come; only the charts turn them into floats (a picture, not a figure).
// Exact arithmetic on strings (ratios, sums) is in figures.js (window.DashboardFigures).
'use strict';

const F = window.DashboardFigures;

/**
 * A table column: [field, header, GraphQL selection on Protocol it needs, how the cell reads it, title].
 * One line per column: the selection below is built from these, so a new API field is one more line.
 */
const COLUMNS = [
  ['latentBadDebtUSD', 'Latent bad debt', 'latentBadDebtUSD', (p) => p.latentBadDebtUSD, 'Sum over accounts of max(0, debt - collateral), USD'],
  ['badDebtRatio', 'Bad-debt ratio*', 'latentBadDebtUSD totalBorrowedUSD', (p) => F.ratio(p.latentBadDebtUSD, p.totalBorrowedUSD, 6), 'Latent bad debt / total borrowed, computed by this page from the two exact strings, rounded down to 6 decimals'],
  ['insolventAccounts', 'Insolvent accounts', 'insolventAccounts', (p) => String(p.insolventAccounts)],
  ['solvencyRatio', 'Solvency ratio', 'solvencyRatio', (p) => p.solvencyRatio, '(available liquidity + outstanding debt - latent bad debt) / supplier claims'],
  ['equityUSD', 'Equity', 'equityUSD', (p) => p.equityUSD],
  ['coverageRatio', 'Coverage', 'coverageRatio', (p) => p.coverageRatio, 'Reserves / latent bad debt (the protocol\'s cushion); a dash when there is no bad debt'],
  ['outstandingDeficitUSD', 'Outstanding deficit', 'outstandingDeficitUSD', (p) => p.outstandingDeficitUSD],
  ['realizedBadDebtUSD', 'Realized bad debt', 'realizedBadDebtUSD', (p) => p.realizedBadDebtUSD],
  ['socializedLossUSD', 'Socialized loss', 'socializedLossUSD', (p) => p.socializedLossUSD],
  ['totalBorrowedUSD', 'Total borrowed', 'totalBorrowedUSD', (p) => p.totalBorrowedUSD],
  ['indexedBlock', 'Indexed block', 'indexing { indexedBlock { number } }', (p) => String(p.indexing.indexedBlock.number)],
  ['secondsBehind', 'Lag (s)', 'indexing { secondsBehind }', (p) => String(p.indexing.secondsBehind), "Seconds since the indexed head's timestamp"],
];

/** A fund's cells for a protocol whose family has none (the API's insuranceFund is null) read "none". */
const noFund = (p) => p.insuranceFund === null;
/**
 * Insurance-fund coverage, as COLUMNS plus a 6th element: when it says so for a protocol, the cell
 * reads "none" (no such thing in that family), which is not the API's null (a dash: no value).
 */
const FUND_COLUMNS = [
  ['family', 'Family', 'family', (p) => p.family],
  ['reservesUSD', 'Reserves (USD)', 'reservesUSD', (p) => p.reservesUSD, "The protocol's own cushion (Aave: accrued to treasury + treasury aTokens)"],
  ['latentBadDebtUSD', 'Latent bad debt', 'latentBadDebtUSD', (p) => p.latentBadDebtUSD],
  ['coverageRatio', 'Reserves / latent bad debt', 'coverageRatio', (p) => p.coverageRatio, 'Protocol.coverageRatio; a dash when there is no bad debt'],
  ['outstandingDeficitUSD', 'Outstanding deficit', 'outstandingDeficitUSD', (p) => p.outstandingDeficitUSD, 'Realized bad debt booked and not yet covered, at the block\'s price'],
  ['deficitCoverageRatio', 'Reserves / deficit', 'deficitCoverageRatio', (p) => p.deficitCoverageRatio, 'Protocol.deficitCoverageRatio; a dash when there is no deficit'],
  ['fundName', 'Insurance fund', 'insuranceFund { name }', (p) => p.insuranceFund.name, 'A fund that pays losses before suppliers do (Protocol.insuranceFund)', noFund],
  ['fundBalanceUSD', 'Fund (USD)', 'insuranceFund { balanceUSD }', (p) => p.insuranceFund.balanceUSD, null, noFund],
  ['fundCoverage', 'Fund / latent bad debt', 'insuranceFund { latentBadDebtCoverage }', (p) => p.insuranceFund.latentBadDebtCoverage, 'a dash when there is no latent bad debt', noFund],
];
/** Realized losses since inception, split by who absorbed them (Protocol.realizedLoss: the parts add up to the total). */
const LOSS_COLUMNS = [
  ['family', 'Family', 'family', (p) => p.family],
  ['lossCount', 'Losses', 'realizedLoss { count }', (p) => String(p.realizedLoss.count)],
  ['coveredUSD', 'Covered (fund or reserves)', 'realizedLoss { coveredUSD }', (p) => p.realizedLoss.coveredUSD],
  ['socializedUSD', 'Socialized to suppliers', 'realizedLoss { socializedUSD }', (p) => p.realizedLoss.socializedUSD],
  ['deficitUSD', 'Still a deficit', 'realizedLoss { deficitUSD }', (p) => p.realizedLoss.deficitUSD, "Valued at the losses' own block prices (the outstanding deficit above is at the block's)"],
  ['totalUSD', 'Total realized', 'realizedLoss { totalUSD }', (p) => p.realizedLoss.totalUSD],
];
/** Every table of protocols: its element id, its columns, whether bad debt is marked. A new table is one line here (and its <table> in index.html). */
const TABLES = [
  ['protocols', COLUMNS, true],
  ['insurance', FUND_COLUMNS, false],
  ['losses', LOSS_COLUMNS, false],
];
const FIELDS = ['id name slug family block { number timestamp } indexing { hasIndexingErrors }', ...TABLES.flatMap(([, columns]) => columns.map((c) => c[2]))].join(' ');

const $ = (id) => document.getElementById(id);
const state = { pinned: null, protocols: [], detailToken: 0, atHead: [], curves: [] };

async function gql(query, variables) {
  const res = await fetch('/', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query, variables }) });
  const body = await res.json();
  if (body.errors && body.errors.length) {
    const e = body.errors[0];
    const err = new Error(e.message);
    err.code = e.extensions && e.extensions.code;
    err.data = body.data;
    throw err;
  }
  return body.data;
}

/** A cell: the value as text, "—" for the API's null. `label` is its column's header (phone cards). */
function cell(tr, field, value, label, bad) {
  const td = document.createElement('td');
  td.dataset.field = field;
  td.dataset.label = label;
  if (value === null || value === undefined) {
    td.textContent = '—';
    td.className = 'none';
    td.dataset.null = 'true';
    td.title = 'none (null in the API)';
  } else {
    td.textContent = value;
    if (bad) td.className = 'bad';
  }
  tr.appendChild(td);
  return td;
}

function header(table, columns) {
  const tr = document.querySelector(`#${table} thead tr`);
  const th = (text, title) => {
    const el = document.createElement('th');
    el.scope = 'col';
    el.textContent = text;
    if (title) el.title = title;
    return el;
  };
  tr.replaceChildren(th('Protocol'), ...columns.map((c) => th(c[1], c[4])));
}

/** A protocol's row: its name as the row header, then one cell per column. */
function protocolRow(p, columns, marks) {
  const tr = document.createElement('tr');
  tr.dataset.id = p.id;
  tr.dataset.block = String(p.block.number);
  const name = document.createElement('th');
  name.scope = 'row';
  name.className = 'name';
  name.dataset.field = 'name';
  name.textContent = p.name;
  name.title = `${p.family}, ${p.slug} (${p.id})`;
  tr.appendChild(name);
  for (const [field, label, , read, , absent] of columns) {
    if (absent && absent(p)) {
      const td = cell(tr, field, 'none', label, false);
      td.dataset.none = 'true';
      td.className = 'none';
      continue;
    }
    const v = read(p);
    cell(tr, field, v, label, marks && (field === 'latentBadDebtUSD' || field === 'insolventAccounts') && v !== null && F.compare(v, '0') > 0);
  }
  if (p.indexing.hasIndexingErrors) tr.title = 'the subgraph reports indexing errors';
  return tr;
}

function renderTables(protocols) {
  for (const [id, columns, marks] of TABLES) document.querySelector(`#${id} tbody`).replaceChildren(...protocols.map((p) => protocolRow(p, columns, marks)));
}

function setMode(text, live) {
  const m = $('mode');
  m.textContent = text;
  m.className = live ? 'live' : '';
}

async function loadTable() {
  $('table-error').hidden = true;
  try {
    const data = await gql(`query($b: Int) { protocols(block: $b) { ${FIELDS} } }`, { b: state.pinned });
    state.protocols = data.protocols;
    if (state.pinned === null) state.atHead = data.protocols.map((p) => ({ id: p.id, name: p.name }));
    renderTables(data.protocols);
    // A protocol the head has and the pinned block has not: say so rather than drop it silently.
    const absent = state.pinned === null ? [] : state.atHead.filter((h) => !data.protocols.some((p) => p.id === h.id));
    $('table-note').textContent = absent.length ? `No state at block ${state.pinned} for ${absent.map((a) => a.name).join(', ')}: not deployed or not indexed yet at that block.` : '';
    const blocks = [...new Set(data.protocols.map((p) => p.block.number))].join(', ');
    setMode(state.pinned === null ? `live: block ${blocks}` : `block ${state.pinned} (time travel: live updates paused)`, state.pinned === null);
    fillDetailSelect();
    if (state.pinned === null) loadCheckpoints();
  } catch (err) {
    $('table-error').textContent = `The API refused: ${err.message}${err.code ? ` (${err.code})` : ''}`;
    $('table-error').hidden = false;
    setMode('error', false);
  }
}

/** The block selector's list: blocks of realized bad debt and liquidations, every protocol's, newest first. */
async function loadCheckpoints() {
  const q = 'query($p: ID!) { realizedBadDebts(protocol: $p, first: 100) { items { block } } liquidations(protocol: $p, first: 100) { items { block } } }';
  const events = [];
  await Promise.all(state.atHead.map(async (h) => {
    try {
      const d = await gql(q, { p: h.id });
      for (const e of d.realizedBadDebts.items) events.push({ protocol: h.name, kind: 'bad debt', block: e.block });
      for (const e of d.liquidations.items) events.push({ protocol: h.name, kind: 'liquidation', block: e.block });
    } catch {
      // A protocol the API cannot list events for adds no checkpoint; the table says what it can.
    }
  }));
  const group = document.createElement('optgroup');
  group.label = 'Realized bad debt and liquidations';
  group.append(...F.checkpoints(events, 40).map((c) => new Option(c.label, String(c.block))));
  const sel = $('checkpoint');
  sel.replaceChildren(new Option('head (live)', ''), ...(sel.querySelector('option[data-typed]') ? [sel.querySelector('option[data-typed]')] : []), group);
  syncCheckpoint();
}

/** The selector shows what the table shows: head, a listed checkpoint, or the typed block. */
function syncCheckpoint() {
  const sel = $('checkpoint');
  const value = state.pinned === null ? '' : String(state.pinned);
  const listed = [...sel.options].find((o) => o.value === value && !o.dataset.typed);
  let typed = sel.querySelector('option[data-typed]');
  if (listed || value === '') {
    if (typed) typed.remove();
  } else {
    if (!typed) {
      typed = new Option('', value);
      typed.dataset.typed = 'true';
      sel.options[0].after(typed); // right after head (live), before the listed checkpoints
    }
    typed.value = value;
    typed.textContent = `block ${value} (typed)`;
  }
  sel.value = value;
}

// graphql-ws (subprotocol graphql-transport-ws), written out: connection_init, then one subscribe per
// protocol; reconnects after a drop.
let socket = null;
function subscribe() {
  if (socket) socket.close();
  const ws = new WebSocket(location.origin.replace(/^http/, 'ws') + '/', 'graphql-transport-ws');
  socket = ws;
  ws.onopen = () => ws.send(JSON.stringify({ type: 'connection_init' }));
  ws.onmessage = (e) => {
    const msg = JSON.parse(e.data);
    if (msg.type === 'connection_ack') {
      for (const p of state.atHead) ws.send(JSON.stringify({ id: p.id, type: 'subscribe', payload: { query: `subscription($p: ID!) { head(protocol: $p) { ${FIELDS} } }`, variables: { p: p.id } } }));
    } else if (msg.type === 'ping') {
      ws.send(JSON.stringify({ type: 'pong' }));
    } else if (msg.type === 'next' && msg.payload.data) {
      onHead(msg.payload.data.head);
    }
  };
  ws.onclose = () => {
    if (socket === ws) setTimeout(subscribe, 3000);
  };
}

function onHead(p) {
  if (state.pinned !== null) return; // time travel: the tables show the pinned block
  const i = state.protocols.findIndex((x) => x.id === p.id);
  if (i < 0) return;
  if (p.block.number < state.protocols[i].block.number) return;
  const changed = p.block.number !== state.protocols[i].block.number;
  state.protocols[i] = p;
  for (const [id, columns, marks] of TABLES) {
    const old = document.querySelector(`#${id} tr[data-id="${CSS.escape(p.id)}"]`);
    const tr = protocolRow(p, columns, marks);
    if (changed) tr.classList.add('flash');
    if (old) old.replaceWith(tr);
    setTimeout(() => tr.classList.remove('flash'), 1500);
  }
  setMode(`live: block ${p.block.number} (${p.name} updated)`, true);
  // The selected protocol's accounts, events and curves follow its head; history keeps its points
  // (past intervals do not change, and each point costs a block pin).
  if (changed && $('detail-protocol').value === p.id) loadDetail(false);
  // A new block may bring new bad debt or liquidations: the checkpoint list follows (once per burst of heads).
  if (changed) {
    clearTimeout(state.checkpointTimer);
    state.checkpointTimer = setTimeout(() => state.pinned === null && loadCheckpoints(), 2000);
  }
}

function fillDetailSelect() {
  const sel = $('detail-protocol');
  const current = sel.value;
  sel.replaceChildren(...state.protocols.map((p) => new Option(p.name, p.id)));
  if (state.protocols.some((p) => p.id === current)) sel.value = current;
  loadDetail();
}

function note(id, text, isError) {
  const el = $(id);
  el.textContent = text;
  el.className = isError ? 'note error' : 'note';
}

/** Draws a chart at its box's width; redrawn when the window's width changes (a rotated phone, a resized window). */
const drawn = new Map();
function chart(id, opts, data) {
  const el = $(id);
  el.replaceChildren();
  drawn.set(id, [opts, data]);
  if (typeof uPlot === 'undefined') return;
  const width = Math.max(260, el.clientWidth || 400);
  try {
    // eslint-disable-next-line no-new
    new uPlot({ width, height: 220, axes: [{}, { size: 80 }], ...opts }, data, el);
  } catch (err) {
    el.textContent = `chart not drawn: ${err.message}`;
  }
}

const reason = (err) => (err.code === 'CHAIN_REQUIRED' ? 'this gateway has no RPC' : `${err.message}${err.code ? ` (${err.code})` : ''}`);
const missing = (what, err) => `no ${what}: ${reason(err)}`;

async function loadDetail(withHistory = true) {
  const id = $('detail-protocol').value;
  const p = state.protocols.find((x) => x.id === id);
  if (!p) return;
  const token = ++state.detailToken;
  const block = state.pinned;
  const current = () => token === state.detailToken;
  loadAccountsAndEvents(p, block, current);
  if (withHistory) loadHistory(p, current);
  loadCurves(p, block, current);
}

function rows(tbody, items, fields) {
  document.querySelector(tbody).replaceChildren(...items.map((item) => {
    const tr = document.createElement('tr');
    for (const [f, label, v, bad] of fields(item)) cell(tr, f, v, label, bad);
    return tr;
  }));
}

async function loadAccountsAndEvents(p, block, current) {
  try {
    const d = await gql(
      `query($p: ID!, $b: Int, $to: Int) {
        accounts(protocol: $p, where: { insolvent: true }, orderBy: BAD_DEBT_USD_DESC, first: 10, block: $b) { totalCount items { address badDebtUSD debtUSD collateralUSD healthFactor positions { asset { symbol } supplied borrowed collateral } } }
        realizedBadDebts(protocol: $p, toBlock: $to, first: 10) { totalCount totalUSD items { kind block txHash account asset { symbol } amount amountUSD } } }`,
      { p: p.id, b: block, to: block === null ? p.block.number : block },
    );
    if (!current()) return;
    const acc = d.accounts;
    note('accounts-note', acc.totalCount ? `${acc.totalCount} insolvent account(s) at block ${p.block.number}, largest bad debt first (top 10)` : `no insolvent accounts at block ${p.block.number}`);
    const positions = (a) => a.positions.map((x) => `${x.asset.symbol}: ${x.supplied !== '0' ? `+${x.supplied}${x.collateral ? ' (collateral)' : ''}` : ''}${x.borrowed !== '0' ? ` -${x.borrowed}` : ''}`).join('; ');
    rows('#accounts tbody', acc.items, (a) => [
      ['address', 'Account', a.address], ['badDebtUSD', 'Bad debt', a.badDebtUSD, true], ['debtUSD', 'Debt', a.debtUSD], ['collateralUSD', 'Collateral', a.collateralUSD], ['healthFactor', 'Health factor', a.healthFactor], ['positions', 'Positions', positions(a)],
    ]);
    const ev = d.realizedBadDebts;
    note('events-note', ev.totalCount ? `${ev.totalCount} event(s) up to block ${p.block.number}, total ${ev.totalUSD} USD (newest 10)` : `no realized bad debt up to block ${p.block.number}`);
    rows('#events tbody', ev.items, (e) => [
      ['block', 'Block', String(e.block)], ['kind', 'Kind', e.kind], ['account', 'Account', e.account], ['asset', 'Asset', e.asset.symbol], ['amount', 'Amount', e.amount], ['amountUSD', 'USD', e.amountUSD], ['txHash', 'Transaction', e.txHash],
    ]);
  } catch (err) {
    if (!current()) return;
    note('accounts-note', missing('accounts', err), true);
    note('events-note', missing('events', err), true);
  }
}

/** Bad debt per day over the week before the block (a week: the cost limit allows ~9 points); hourly when that gives fewer than 3. */
async function loadHistory(p, current) {
  const to = p.block.timestamp;
  const q = `query($p: String!, $from: Int!, $to: Int, $i: HistoryInterval!) { history(protocol: $p, fromTimestamp: $from, toTimestamp: $to, interval: $i) { points { intervalEnd block { number } latentBadDebtUSD outstandingDeficitUSD } } }`;
  note('history-note', 'loading…');
  try {
    let interval = 'DAY';
    let points = (await gql(q, { p: p.id, from: to - 7 * 86400, to, i: interval })).history.points;
    if (points.length < 3) {
      interval = 'HOUR';
      points = (await gql(q, { p: p.id, from: to - 7 * 3600, to, i: interval })).history.points;
    }
    if (!current()) return;
    if (!points.length) {
      $('history-chart').replaceChildren();
      return note('history-note', 'no history: no indexed block in the range');
    }
    note('history-note', `${points.length} ${interval === 'DAY' ? 'daily' : 'hourly'} points to block ${points[points.length - 1].block.number}; last latent bad debt ${points[points.length - 1].latentBadDebtUSD} USD`);
    chart('history-chart', { series: [{}, { label: 'latent bad debt (USD)', stroke: '#a40000', width: 2 }, { label: 'outstanding deficit (USD)', stroke: '#0645ad', width: 2 }] },
      [points.map((x) => x.intervalEnd), points.map((x) => Number(x.latentBadDebtUSD)), points.map((x) => Number(x.outstandingDeficitUSD))]);
  } catch (err) {
    if (!current()) return;
    $('history-chart').replaceChildren();
    note('history-note', missing('history', err), true);
  }
}

/** How many accounts (most collateral first) the main collateral assets are ranked over, and how many are curved. */
const RANKED_ACCOUNTS = 200;
const CURVED_ASSETS = 3;

/**
 * The liquidation curves of the protocol's main collateral assets at the block: the CURVED_ASSETS
 * assets with the most collateral value (positions counted as collateral, exact sums of the API's
 * suppliedUSD), one liquidationCurve each. An asset the API cannot curve is listed with its reason.
 */
async function loadCurves(p, block, current) {
  note('curve-note', 'loading…');
  try {
    const d = await gql(
      `query($p: ID!, $b: Int, $n: Int) { accounts(protocol: $p, orderBy: COLLATERAL_USD_DESC, first: $n, block: $b) { block { number } totalCount items { positions { asset { address symbol } supplied suppliedUSD collateral } } } }`,
      { p: p.id, b: block, n: RANKED_ACCOUNTS },
    );
    const ranking = F.collateralAssets(d.accounts.items, CURVED_ASSETS);
    const curves = await Promise.all(ranking.top.map((a) =>
      gql('query($p: String!, $a: String!, $b: Int) { liquidationCurve(protocol: $p, asset: $a, steps: 18, block: $b) { block { number } asset { symbol } points { change liquidatableCollateral liquidatableCollateralUSD liquidatableAccounts latentBadDebtUSD badDebtCreatedUSD } } }', { p: p.id, a: a.address, b: block })
        .then((r) => ({ ...a, curve: r.liquidationCurve }), (err) => ({ ...a, error: err }))));
    if (!current()) return;
    state.curves = curves;
    const over = d.accounts.totalCount > RANKED_ACCOUNTS ? `the ${RANKED_ACCOUNTS} accounts with the most collateral (of ${d.accounts.totalCount})` : `all ${d.accounts.totalCount} accounts`;
    const unpriced = ranking.unpriced.length ? `; left out, no USD price: ${ranking.unpriced.join(', ')}` : '';
    note('curve-note', curves.length
      ? `Main collateral assets at block ${d.accounts.block.number}, by collateral value* (sum of suppliedUSD of collateral positions over ${over})${unpriced}. Price drops to -90%, collateral valued at today's price.`
      : `no liquidation curve: no priced collateral at block ${d.accounts.block.number}${unpriced}`);
    $('curve-assets').dataset.protocol = p.id;
    $('curve-assets').dataset.block = String(d.accounts.block.number);
    $('curve-assets').replaceChildren(...curves.map((c) => {
      const li = document.createElement('li');
      li.dataset.asset = c.address;
      li.dataset.collateralUsd = c.collateralUSD;
      li.dataset.status = c.error ? 'missing' : 'curve';
      li.textContent = `${c.symbol}: collateral ${c.collateralUSD} USD* — ${c.error ? `no curve: ${reason(c.error)}` : `curve at block ${c.curve.block.number}`}`;
      if (c.error) li.className = 'error';
      return li;
    }));
    const sel = $('curve-asset');
    const chosen = sel.value;
    sel.replaceChildren(...curves.map((c) => new Option(`${c.symbol}${c.error ? ' (no curve)' : ''}`, c.address)));
    sel.disabled = !curves.length;
    if (curves.some((c) => c.address === chosen)) sel.value = chosen;
    showCurve();
  } catch (err) {
    if (!current()) return;
    state.curves = [];
    $('curve-assets').replaceChildren();
    $('curve-asset').replaceChildren();
    showCurve();
    note('curve-note', missing('liquidation curve', err), true);
  }
}

/** The selected asset's curve: chart and figures, or why there is none. */
function showCurve() {
  const c = state.curves.find((x) => x.address === $('curve-asset').value);
  const body = document.querySelector('#curve-points tbody');
  if (!c || c.error) {
    $('curve-chart').replaceChildren();
    body.replaceChildren();
    $('curve-title').textContent = 'Liquidation curve';
    return note('curve-status', c ? `${c.symbol}: no curve: ${reason(c.error)}` : '', Boolean(c));
  }
  const pts = c.curve.points;
  $('curve-title').textContent = `Liquidation curve: ${c.curve.asset.symbol} price drop`;
  note('curve-status', `${c.curve.asset.symbol}: collateral liquidatable (USD, today's price) and latent bad debt as ${c.curve.asset.symbol} falls, at block ${c.curve.block.number}`);
  rows('#curve-points tbody', pts, (x) => [
    ['change', 'Price change', x.change], ['liquidatableCollateral', 'Liquidatable collateral', x.liquidatableCollateral], ['liquidatableCollateralUSD', 'Liquidatable collateral (USD)', x.liquidatableCollateralUSD],
    ['liquidatableAccounts', 'Accounts', String(x.liquidatableAccounts)], ['latentBadDebtUSD', 'Latent bad debt (USD)', x.latentBadDebtUSD], ['badDebtCreatedUSD', 'Bad debt created (USD)', x.badDebtCreatedUSD],
  ]);
  chart('curve-chart', { scales: { x: { time: false } }, axes: [{ label: `${c.curve.asset.symbol} change (%)` }, { size: 80 }], series: [{ label: 'change %' }, { label: 'liquidatable collateral (USD)', stroke: '#7a4a00', width: 2 }, { label: 'latent bad debt (USD)', stroke: '#a40000', width: 2 }] },
    [pts.map((x) => Number(x.change) * 100).reverse(), pts.map((x) => Number(x.liquidatableCollateralUSD)).reverse(), pts.map((x) => Number(x.latentBadDebtUSD)).reverse()]);
}

function travel(value) {
  state.pinned = value === '' ? null : Number(value);
  $('block').value = value;
  syncCheckpoint();
  loadTable();
}
let resizeTimer;
let lastWidth = window.innerWidth;
window.addEventListener('resize', () => {
  clearTimeout(resizeTimer);
  resizeTimer = setTimeout(() => {
    if (window.innerWidth === lastWidth) return;
    lastWidth = window.innerWidth;
    for (const [id, [opts, data]] of drawn) if ($(id).firstChild) chart(id, opts, data);
  }, 150);
});
$('travel').addEventListener('submit', (e) => {
  e.preventDefault();
  travel($('block').value.trim());
});
$('checkpoint').addEventListener('change', () => travel($('checkpoint').value));
$('detail-protocol').addEventListener('change', () => loadDetail());
$('curve-asset').addEventListener('change', showCurve);

for (const [id, columns] of TABLES) header(id, columns);
loadTable().then(subscribe);
