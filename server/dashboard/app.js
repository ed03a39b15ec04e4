// The dashboard's script (plain JS, no bundler): reads the gateway's GraphQL API at this same URL and
// follows each protocol's head over graphql-ws (subscription head). Table figures are the API's
// decimal strings as they come; only the charts turn them into floats (a picture, not a figure).
'use strict';

const FIELDS = 'id name slug family block { number timestamp } indexing { indexedBlock { number } secondsBehind hasIndexingErrors } latentBadDebtUSD totalBorrowedUSD insolventAccounts solvencyRatio equityUSD coverageRatio outstandingDeficitUSD realizedBadDebtUSD socializedLossUSD';
// Table columns: field -> how the cell reads it from a protocol.
const COLUMNS = [
  ['latentBadDebtUSD', (p) => p.latentBadDebtUSD],
  ['badDebtRatio', (p) => ratio(p.latentBadDebtUSD, p.totalBorrowedUSD, 6)],
  ['insolventAccounts', (p) => String(p.insolventAccounts)],
  ['solvencyRatio', (p) => p.solvencyRatio],
  ['equityUSD', (p) => p.equityUSD],
  ['coverageRatio', (p) => p.coverageRatio],
  ['outstandingDeficitUSD', (p) => p.outstandingDeficitUSD],
  ['realizedBadDebtUSD', (p) => p.realizedBadDebtUSD],
  ['socializedLossUSD', (p) => p.socializedLossUSD],
  ['totalBorrowedUSD', (p) => p.totalBorrowedUSD],
  ['indexedBlock', (p) => String(p.indexing.indexedBlock.number)],
  ['secondsBehind', (p) => String(p.indexing.secondsBehind)],
];

const $ = (id) => document.getElementById(id);
const state = { pinned: null, protocols: [], detailToken: 0, atHead: [] };

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

/** a / b of two decimal strings, exactly with BigInt, rounded down to `places`; null when b is 0. */
function ratio(a, b, places) {
  const scale = (s) => {
    const [i, f = ''] = s.split('.');
    return { n: BigInt(i + f), d: f.length };
  };
  const x = scale(a);
  const y = scale(b);
  if (y.n === 0n) return null;
  // a/b = (x.n / 10^x.d) / (y.n / 10^y.d)
  const num = x.n * 10n ** BigInt(y.d + places);
  const den = y.n * 10n ** BigInt(x.d);
  const q = num / den;
  const neg = q < 0n;
  const digits = (neg ? -q : q).toString().padStart(places + 1, '0');
  return (neg ? '-' : '') + digits.slice(0, -places) + '.' + digits.slice(-places);
}

function cell(tr, field, value, bad) {
  const td = document.createElement('td');
  td.dataset.field = field;
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
}

function renderTable(protocols) {
  const body = document.querySelector('#protocols tbody');
  body.replaceChildren();
  for (const p of protocols) body.appendChild(row(p));
}

function row(p) {
  const tr = document.createElement('tr');
  tr.dataset.id = p.id;
  tr.dataset.block = String(p.block.number);
  const name = document.createElement('td');
  name.className = 'name';
  name.dataset.field = 'name';
  name.textContent = p.name;
  name.title = `${p.family}, ${p.slug} (${p.id})`;
  tr.appendChild(name);
  for (const [field, read] of COLUMNS) {
    const v = read(p);
    cell(tr, field, v, (field === 'latentBadDebtUSD' || field === 'insolventAccounts') && v !== null && Number(v) > 0);
  }
  if (p.indexing.hasIndexingErrors) tr.title = 'the subgraph reports indexing errors';
  return tr;
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
    renderTable(data.protocols);
    // A protocol the head has and the pinned block has not: say so rather than drop it silently.
    const absent = state.pinned === null ? [] : state.atHead.filter((h) => !data.protocols.some((p) => p.id === h.id));
    $('table-note').textContent = absent.length ? `No state at block ${state.pinned} for ${absent.map((a) => a.name).join(', ')}: not deployed or not indexed yet at that block.` : '';
    const blocks = [...new Set(data.protocols.map((p) => p.block.number))].join(', ');
    setMode(state.pinned === null ? `live: block ${blocks}` : `block ${state.pinned} (time travel: live updates paused)`, state.pinned === null);
    fillDetailSelect();
  } catch (err) {
    $('table-error').textContent = `The API refused: ${err.message}${err.code ? ` (${err.code})` : ''}`;
    $('table-error').hidden = false;
    setMode('error', false);
  }
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
      for (const p of state.protocols) ws.send(JSON.stringify({ id: p.id, type: 'subscribe', payload: { query: `subscription($p: ID!) { head(protocol: $p) { ${FIELDS} } }`, variables: { p: p.id } } }));
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
  const i = state.protocols.findIndex((x) => x.id === p.id);
  if (i < 0) return;
  if (state.pinned !== null) return; // time travel: the table shows the pinned block
  if (p.block.number < state.protocols[i].block.number) return;
  const changed = p.block.number !== state.protocols[i].block.number;
  state.protocols[i] = p;
  const old = document.querySelector(`#protocols tr[data-id="${CSS.escape(p.id)}"]`);
  const tr = row(p);
  if (changed) tr.classList.add('flash');
  if (old) old.replaceWith(tr);
  setTimeout(() => tr.classList.remove('flash'), 1500);
  setMode(`live: block ${p.block.number} (${p.name} updated)`, true);
  // The selected protocol's accounts, events and curve follow its head; history keeps its points
  // (past intervals do not change, and each point costs a block pin).
  if (changed && $('detail-protocol').value === p.id) loadDetail(false);
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

function chart(id, opts, data) {
  const el = $(id);
  el.replaceChildren();
  if (typeof uPlot === 'undefined') return;
  const width = Math.max(260, el.clientWidth || 400);
  try {
    // eslint-disable-next-line no-new
    new uPlot({ width, height: 220, axes: [{}, { size: 80 }], ...opts }, data, el);
  } catch (err) {
    el.textContent = `chart not drawn: ${err.message}`;
  }
}

const missing = (what, err) => (err.code === 'CHAIN_REQUIRED' ? `no ${what}: this gateway has no RPC` : `no ${what}: ${err.message}${err.code ? ` (${err.code})` : ''}`);

async function loadDetail(withHistory = true) {
  const id = $('detail-protocol').value;
  const p = state.protocols.find((x) => x.id === id);
  if (!p) return;
  const token = ++state.detailToken;
  const block = state.pinned;
  const current = () => token === state.detailToken;
  loadAccountsAndEvents(p, block, current);
  if (withHistory) loadHistory(p, current);
  loadCurve(p, block, current);
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
    document.querySelector('#accounts tbody').replaceChildren(...acc.items.map((a) => {
      const tr = document.createElement('tr');
      const positions = a.positions.map((x) => `${x.asset.symbol}: ${x.supplied !== '0' ? `+${x.supplied}${x.collateral ? ' (collateral)' : ''}` : ''}${x.borrowed !== '0' ? ` -${x.borrowed}` : ''}`).join('; ');
      for (const [f, v] of [['address', a.address], ['badDebtUSD', a.badDebtUSD], ['debtUSD', a.debtUSD], ['collateralUSD', a.collateralUSD], ['healthFactor', a.healthFactor], ['positions', positions]]) cell(tr, f, v, f === 'badDebtUSD');
      return tr;
    }));
    const ev = d.realizedBadDebts;
    note('events-note', ev.totalCount ? `${ev.totalCount} event(s) up to block ${p.block.number}, total ${ev.totalUSD} USD (newest 10)` : `no realized bad debt up to block ${p.block.number}`);
    document.querySelector('#events tbody').replaceChildren(...ev.items.map((e) => {
      const tr = document.createElement('tr');
      for (const [f, v] of [['block', String(e.block)], ['kind', e.kind], ['account', e.account], ['asset', e.asset.symbol], ['amount', e.amount], ['amountUSD', e.amountUSD], ['txHash', e.txHash]]) cell(tr, f, v, false);
      return tr;
    }));
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

/** The curve for the protocol's largest collateral market by supply at the block. */
async function loadCurve(p, block, current) {
  note('curve-note', 'loading…');
  try {
    const m = (await gql('query($p: ID!, $b: Int) { protocol(id: $p, block: $b) { markets { asset { address symbol } totalSuppliedUSD } } }', { p: p.id, b: block })).protocol.markets;
    const main = m.filter((x) => x.totalSuppliedUSD !== null).sort((a, b) => Number(b.totalSuppliedUSD) - Number(a.totalSuppliedUSD))[0];
    if (!main) {
      $('curve-chart').replaceChildren();
      return note('curve-note', 'no liquidation curve: no priced market');
    }
    const c = (await gql('query($p: String!, $a: String!, $b: Int) { liquidationCurve(protocol: $p, asset: $a, steps: 18, block: $b) { block { number } asset { symbol } points { change liquidatableCollateralUSD latentBadDebtUSD } } }', { p: p.id, a: main.asset.address, b: block })).liquidationCurve;
    if (!current()) return;
    $('curve-title').textContent = `Liquidation curve: ${c.asset.symbol} price drop`;
    note('curve-note', `collateral liquidatable (USD, today's price) and latent bad debt if ${c.asset.symbol} falls, at block ${c.block.number}`);
    chart('curve-chart', { scales: { x: { time: false } }, axes: [{ label: `${c.asset.symbol} change (%)` }, { size: 80 }], series: [{ label: 'change %' }, { label: 'liquidatable collateral (USD)', stroke: '#7a4a00', width: 2 }, { label: 'latent bad debt (USD)', stroke: '#a40000', width: 2 }] },
      [c.points.map((x) => Number(x.change) * 100).reverse(), c.points.map((x) => Number(x.liquidatableCollateralUSD)).reverse(), c.points.map((x) => Number(x.latentBadDebtUSD)).reverse()]);
  } catch (err) {
    if (!current()) return;
    $('curve-chart').replaceChildren();
    note('curve-note', missing('liquidation curve', err), true);
  }
}

$('travel').addEventListener('submit', (e) => {
  e.preventDefault();
  const v = $('block').value.trim();
  state.pinned = v === '' ? null : Number(v);
  loadTable();
});
$('go-live').addEventListener('click', () => {
  state.pinned = null;
  $('block').value = '';
  loadTable();
});
$('detail-protocol').addEventListener('change', () => loadDetail());

loadTable().then(subscribe);
