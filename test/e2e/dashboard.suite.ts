import fs from 'node:fs';
import path from 'node:path';
import { createWalletClient, http, type Address, type PublicClient, type TestClient } from 'viem';
import { currentAggregator, feedAggregatorAbi } from '../../devnet/chainlink/feeds';
import { freePort } from '../../devnet/stack/ports';
import { createGateway } from '../../server/app';
import { seriousA11yViolations } from '../support/axe';
import { startBrowser, type Browser } from '../support/browser';
import { gqlData } from '../support/gateway-client';
import type { StackState } from '../support/stack-process';

interface SuiteCtx {
  state: StackState;
  chain: PublicClient;
  testClient: TestClient;
}

interface ApiProtocol {
  id: string;
  name: string;
  block: { number: number };
  indexing: { indexedBlock: { number: number }; secondsBehind: number };
  latentBadDebtUSD: string;
  totalBorrowedUSD: string;
  insolventAccounts: number;
  solvencyRatio: string | null;
  equityUSD: string;
  coverageRatio: string | null;
  outstandingDeficitUSD: string;
  realizedBadDebtUSD: string;
  socializedLossUSD: string;
  family: string;
  reservesUSD: string;
  deficitCoverageRatio: string | null;
  insuranceFund: { name: string; balanceUSD: string; latentBadDebtCoverage: string | null } | null;
  realizedLoss: { count: number; totalUSD: string; coveredUSD: string; socializedUSD: string; deficitUSD: string };
}
type Row = { id: string; block: number; cells: Record<string, string | null> };

const FIELDS = 'id name family block { number } indexing { indexedBlock { number } secondsBehind } latentBadDebtUSD totalBorrowedUSD insolventAccounts solvencyRatio equityUSD coverageRatio outstandingDeficitUSD realizedBadDebtUSD socializedLossUSD reservesUSD deficitCoverageRatio insuranceFund { name balanceUSD latentBadDebtCoverage } realizedLoss { count totalUSD coveredUSD socializedUSD deficitUSD }';
const SHOTS = path.join(__dirname, '..', '..', 'test-output', 'dashboard');

/** A table of protocols as the page shows it: each cell's text, null where the page shows a dash (the API's null). */
const readTable = (id: string) => `[...document.querySelectorAll('#${id} tbody tr')].map((tr) => ({
  id: tr.dataset.id, block: Number(tr.dataset.block),
  cells: Object.fromEntries([...tr.cells].map((td) => [td.dataset.field, td.dataset.null ? null : td.textContent])),
}))`;
const READ_TABLE = readTable('protocols');

/** The insurance-fund table for a protocol: the API's strings; where the API has no fund (insuranceFund null) its cells read "none". */
const expectedFund = (p: ApiProtocol) => ({
  name: p.name,
  family: p.family,
  reservesUSD: p.reservesUSD,
  latentBadDebtUSD: p.latentBadDebtUSD,
  coverageRatio: p.coverageRatio,
  outstandingDeficitUSD: p.outstandingDeficitUSD,
  deficitCoverageRatio: p.deficitCoverageRatio,
  fundName: p.insuranceFund ? p.insuranceFund.name : 'none',
  fundBalanceUSD: p.insuranceFund ? p.insuranceFund.balanceUSD : 'none',
  fundCoverage: p.insuranceFund ? p.insuranceFund.latentBadDebtCoverage : 'none',
});
/** The realized-loss table: the API's split as it is. */
const expectedLoss = (p: ApiProtocol) => ({
  name: p.name,
  family: p.family,
  lossCount: String(p.realizedLoss.count),
  coveredUSD: p.realizedLoss.coveredUSD,
  socializedUSD: p.realizedLoss.socializedUSD,
  deficitUSD: p.realizedLoss.deficitUSD,
  totalUSD: p.realizedLoss.totalUSD,
});

type Position = { asset: { address: string; symbol: string }; supplied: string; suppliedUSD: string | null; collateral: boolean };
/** Exact sum of decimal strings, written here apart from the page's figures.js. */
function decimalSum(values: string[]): string {
  const d = Math.max(0, ...values.map((v) => (v.split('.')[1] ?? '').length));
  const total = values.reduce((s, v) => {
    const [i, f = ''] = v.replace('-', '').split('.');
    const n = BigInt(i + f.padEnd(d, '0'));
    return s + (v.startsWith('-') ? -n : n);
  }, 0n);
  const digits = (total < 0n ? -total : total).toString().padStart(d + 1, '0');
  const frac = digits.slice(digits.length - d).replace(/0+$/, '');
  return (total < 0n ? '-' : '') + digits.slice(0, digits.length - d) + (frac ? `.${frac}` : '');
}

/** Both charts drawn and every detail note past "loading". */
/**
 * How long the detail may take to (re)load at a new head (accounts, events, history over the chain's
 * headers, three liquidation curves). Once, in a clean-clone CI run with the unit tests in parallel,
 * it took over 30 s after the live price move; the cause was not found (the curves alone take ~60 ms
 * each on a quiet machine). A wait, not a speed check: bench:gateway measures speed.
 */
const DETAIL_WAIT_MS = 120_000;
const DETAIL_LOADED = `document.querySelector('#history-chart canvas') && document.querySelector('#curve-chart canvas') && !/loading/.test(['accounts-note', 'events-note', 'history-note', 'curve-note'].map((id) => document.getElementById(id).textContent).join(' '))`;

/** What the table must show for a protocol: the API's strings as they are (the ratio is checked apart). */
const expected = (p: ApiProtocol) => ({
  name: p.name,
  latentBadDebtUSD: p.latentBadDebtUSD,
  insolventAccounts: String(p.insolventAccounts),
  solvencyRatio: p.solvencyRatio,
  equityUSD: p.equityUSD,
  coverageRatio: p.coverageRatio,
  outstandingDeficitUSD: p.outstandingDeficitUSD,
  realizedBadDebtUSD: p.realizedBadDebtUSD,
  socializedLossUSD: p.socializedLossUSD,
  totalBorrowedUSD: p.totalBorrowedUSD,
  indexedBlock: String(p.indexing.indexedBlock.number),
});

/**
 * The dashboard at / in headless Chromium on the shared stack: the tables' figures equal the API's,
 * the curves are the API's for the main collateral assets (ranked here from the API's positions), the
 * block selector shows a listed checkpoint's and a typed block's, a price moved on the chain reaches
 * the open page over the head subscription, axe-core finds no serious violation, and neither a laptop
 * nor a phone scrolls sideways. Moves one price and restores it (two blocks, a third or fourth mined
 * only if graph-node missed a head notification), waiting for the page to show both.
 */
export function dashboardSuite(ctx: () => SuiteCtx, name: string) {
  let browser: Browser | undefined;
  afterAll(async () => {
    await browser?.close();
  }, 30_000);

  it('shows every protocol with the API figures and curves, travels to checkpoints, updates live after a price move, on a laptop and a phone', async () => {
    const { state, chain, testClient } = ctx();
    const url = state.gatewayUrl;
    const apiAt = async (block: number) => (await gqlData<{ protocols: ApiProtocol[] }>(url, `query($b: Int) { protocols(block: $b) { ${FIELDS} } }`, { b: block })).protocols;
    const table = async () => browser!.eval<Row[]>(READ_TABLE);
    /** Both tables equal the API at the block the rows say they show (one block for all: one chain). */
    const checkTables = async (block: number) => {
      const [rows, funds, losses, api] = [await table(), await browser!.eval<Row[]>(readTable('insurance')), await browser!.eval<Row[]>(readTable('losses')), await apiAt(block)];
      for (const shown of [rows, funds, losses]) expect(shown.map((r) => [r.id, r.block])).toEqual(api.map((p) => [p.id, block]));
      for (const [i, p] of api.entries()) {
        const { badDebtRatio, secondsBehind, ...figures } = rows[i].cells;
        expect(figures).toEqual(expected(p));
        // The one figure the page computes: bad debt / borrowed, rounded down to 6 places.
        expect(Math.abs(Number(badDebtRatio) - Number(p.latentBadDebtUSD) / Number(p.totalBorrowedUSD))).toBeLessThan(2e-6);
        expect(secondsBehind).toMatch(/^\d+$/);
        expect(funds[i].cells).toEqual(expectedFund(p));
        expect(losses[i].cells).toEqual(expectedLoss(p));
      }
      // "none" is said exactly where the API has no fund.
      expect(funds.filter((r) => r.cells.fundName === 'none').map((r) => r.id)).toEqual(api.filter((p) => p.insuranceFund === null).map((p) => p.id));
      return rows;
    };
    /** No sideways scroll: neither the page nor any table is wider than its box, and the charts are redrawn to their boxes' width. */
    const fits = async () => {
      await browser!.waitFor(`[...document.querySelectorAll('.chart .uplot')].every((u) => u.getBoundingClientRect().width <= u.closest('.chart').clientWidth + 1)`, 5_000);
      expect(await browser!.eval('document.documentElement.scrollWidth - window.innerWidth')).toBeLessThanOrEqual(0);
      expect(await browser!.eval('[...document.querySelectorAll("table")].filter((t) => t.scrollWidth > t.parentElement.clientWidth + 1).map((t) => t.id)')).toEqual([]);
    };
    const audit = async (width: number) => {
      await browser!.eval('document.querySelectorAll("details").forEach((d) => (d.open = true))');
      expect([width, await seriousA11yViolations(browser!)]).toEqual([width, []]);
    };
    /** The main collateral assets of a protocol at a block, from the API's positions: collateral value summed exactly, top 3. */
    const mainCollateral = async (protocol: string, block: number) => {
      const { accounts } = await gqlData<{ accounts: { totalCount: number; items: { positions: Position[] }[] } }>(url, `{ accounts(protocol: "${protocol}", orderBy: COLLATERAL_USD_DESC, first: 200, block: ${block}) { totalCount items { positions { asset { address symbol } supplied suppliedUSD collateral } } } }`);
      expect(accounts.totalCount).toBeLessThanOrEqual(200); // the page ranks over 200 accounts: all of the devnet's
      const byAsset = new Map<string, { address: string; symbol: string; values: string[] }>();
      for (const p of accounts.items.flatMap((a) => a.positions)) {
        if (!p.collateral || p.supplied === '0' || p.suppliedUSD === null) continue;
        const e = byAsset.get(p.asset.address) ?? { address: p.asset.address, symbol: p.asset.symbol, values: [] };
        e.values.push(p.suppliedUSD);
        byAsset.set(p.asset.address, e);
      }
      const ranked = [...byAsset.values()].map((e) => ({ address: e.address, symbol: e.symbol, collateralUSD: decimalSum(e.values) }));
      ranked.sort((a, b) => (decimalSum([b.collateralUSD, `-${a.collateralUSD}`]).startsWith('-') ? -1 : 1));
      return ranked.slice(0, 3);
    };
    const curvesShown = (protocol: string, block: number) => `document.getElementById('curve-assets').dataset.protocol === '${protocol}' && document.getElementById('curve-assets').dataset.block === '${block}' && !/loading/.test(document.getElementById('curve-note').textContent)`;
    const READ_ASSETS = '[...document.querySelectorAll("#curve-assets li")].map((li) => ({ address: li.dataset.asset, collateralUSD: li.dataset.collateralUsd, status: li.dataset.status, text: li.textContent }))';
    /** The listed assets are the main collateral ones, and each one's curve figures are the API's. */
    const checkCurves = async (protocol: string, block: number) => {
      await browser!.waitFor(curvesShown(protocol, block), DETAIL_WAIT_MS);
      const main = await mainCollateral(protocol, block);
      expect(main.length).toBeGreaterThan(0);
      const listed = await browser!.eval<{ address: string; collateralUSD: string; status: string }[]>(READ_ASSETS);
      expect(listed.map(({ address, collateralUSD, status }) => ({ address, collateralUSD, status }))).toEqual(main.map((m) => ({ address: m.address, collateralUSD: m.collateralUSD, status: 'curve' })));
      for (const m of main) {
        await browser!.select('#curve-asset', m.address);
        const { liquidationCurve: c } = await gqlData<{ liquidationCurve: { block: { number: number }; points: Record<string, string | number>[] } }>(url, `{ liquidationCurve(protocol: "${protocol}", asset: "${m.address}", steps: 18, block: ${block}) { block { number } points { change liquidatableCollateral liquidatableCollateralUSD liquidatableAccounts latentBadDebtUSD badDebtCreatedUSD } } }`);
        expect(c.block.number).toBe(block);
        const shown = await browser!.eval<Record<string, string>[]>('[...document.querySelectorAll("#curve-points tbody tr")].map((tr) => Object.fromEntries([...tr.cells].map((td) => [td.dataset.field, td.textContent])))');
        expect(shown).toEqual(c.points.map((x) => Object.fromEntries(Object.entries(x).map(([k, v]) => [k, String(v)]))));
        expect(await browser!.eval('!!document.querySelector("#curve-chart canvas")')).toBe(true);
      }
      await browser!.select('#curve-asset', main[0].address);
      return main;
    };
    fs.mkdirSync(SHOTS, { recursive: true });
    const started = Date.now();
    browser = await startBrowser();
    await browser.viewport({ width: 1440, height: 1000 });
    await browser.goto(url);

    // Live at the head, every protocol the API lists.
    const head = Number(await chain.getBlockNumber());
    await browser.waitFor(`document.querySelectorAll('#protocols tbody tr').length > 0 && [...document.querySelectorAll('#protocols tbody tr')].every((tr) => tr.dataset.block === '${head}') && document.getElementById('mode').textContent.startsWith('live')`);
    const atHead = await checkTables(head);
    // The detail of the first protocol: both charts drawn, the underwater accounts and the curves the API's.
    await browser.waitFor(DETAIL_LOADED, DETAIL_WAIT_MS);
    const first = atHead[0].id;
    const underwater = await gqlData<{ accounts: { items: { address: string; badDebtUSD: string }[] } }>(url, `{ accounts(protocol: "${first}", where: { insolvent: true }, orderBy: BAD_DEBT_USD_DESC, first: 10, block: ${head}) { items { address badDebtUSD } } }`);
    expect(await browser.eval(`[...document.querySelectorAll('#accounts tbody tr')].map((tr) => ({ address: tr.cells[0].textContent, badDebtUSD: tr.cells[1].textContent }))`)).toEqual(underwater.accounts.items);
    const firstAssets = await checkCurves(first, head);
    expect(firstAssets.length).toBe(3);
    // A laptop: 1440 and 1280 px, no sideways scroll, no serious axe-core violation.
    await fits();
    await audit(1440);
    await browser.screenshot(path.join(SHOTS, 'laptop-1440-head.png'));
    await browser.viewport({ width: 1280, height: 900 });
    await browser.waitFor(DETAIL_LOADED, DETAIL_WAIT_MS);
    await fits();
    await browser.screenshot(path.join(SHOTS, 'laptop-1280-head.png'));

    // Morpho Blue: its curves are those of its markets' collateral tokens (ranked from collateral positions), not its loan tokens.
    const morpho = atHead.find((r) => r.cells.name === 'Morpho Blue')!.id;
    await browser.select('#detail-protocol', morpho);
    const morphoAssets = await checkCurves(morpho, head);
    await browser.screenshot(path.join(SHOTS, 'morpho-curves.png'));
    expect(morphoAssets.length).toBeGreaterThan(0);

    // An asset the API cannot curve (its answer for that asset replaced by the API's UNKNOWN_ASSET
    // error): listed as missing with the reason; picked, no chart and no points, never zeros.
    const refused = firstAssets[1];
    await browser.answer(`"a":"${refused.address}"`, JSON.stringify({ data: null, errors: [{ message: `no market in ${refused.address}`, extensions: { code: 'UNKNOWN_ASSET' } }] }));
    await browser.select('#detail-protocol', first);
    await browser.waitFor(curvesShown(first, head), DETAIL_WAIT_MS);
    const listed = await browser.eval<{ address: string; status: string; text: string }[]>(READ_ASSETS);
    expect(listed.map((l) => [l.address, l.status])).toEqual(firstAssets.map((a) => [a.address, a === refused ? 'missing' : 'curve']));
    expect(listed[1].text).toBe(`${refused.symbol}: collateral ${refused.collateralUSD} USD* — no curve: no market in ${refused.address} (UNKNOWN_ASSET)`);
    await browser.select('#curve-asset', refused.address);
    expect(await browser.eval('[document.getElementById("curve-status").textContent, document.getElementById("curve-status").className, !!document.querySelector("#curve-chart canvas"), document.querySelectorAll("#curve-points tbody tr").length]')).toEqual([
      `${refused.symbol}: no curve: no market in ${refused.address} (UNKNOWN_ASSET)`, 'note error', false, 0,
    ]);
    await browser.select('#curve-asset', firstAssets[0].address);
    await browser.answer(`"a":"${refused.address}"`, null);

    // Time travel from the list: the newest block with realized bad debt, of any protocol, is a checkpoint.
    const newest = await Promise.all(atHead.map(async (r) => (await gqlData<{ realizedBadDebts: { items: { block: number }[] } }>(url, `{ realizedBadDebts(protocol: "${r.id}", first: 1) { items { block } } }`)).realizedBadDebts.items[0]?.block ?? 0));
    const listedBlock = Math.max(...newest);
    expect(listedBlock).toBeGreaterThan(0);
    await browser.waitFor(`[...document.getElementById('checkpoint').options].some((o) => o.value === '${listedBlock}')`);
    expect(await browser.eval(`[...document.getElementById('checkpoint').options].find((o) => o.value === '${listedBlock}').textContent`)).toMatch(new RegExp(`^block ${listedBlock}: .*bad debt`));
    await browser.select('#checkpoint', String(listedBlock));
    await browser.waitFor(`[...document.querySelectorAll('#protocols tbody tr')].every((tr) => tr.dataset.block === '${listedBlock}') && document.getElementById('mode').textContent === 'block ${listedBlock} (time travel: live updates paused)'`);
    await checkTables(listedBlock);
    await checkCurves(first, listedBlock);
    await browser.screenshot(path.join(SHOTS, 'time-travel-checkpoint.png'));

    // A typed block: the scenario's last block before the crash.
    const checkpoint = Number(state.devnet[name].scenario.checkpoints.find((c) => c.name === 'before-crash')!.block);
    await browser.type('#block', String(checkpoint));
    await browser.click('#show-block');
    await browser.waitFor(`[...document.querySelectorAll('#protocols tbody tr')].every((tr) => tr.dataset.block === '${checkpoint}')`);
    const past = await checkTables(checkpoint);
    expect(await browser.eval('[document.getElementById("checkpoint").value, document.getElementById("checkpoint").selectedOptions[0].textContent]')).toEqual([String(checkpoint), `block ${checkpoint} (typed)`]);
    // Protocols deployed after the checkpoint are named as absent, not dropped silently.
    const absent = atHead.filter((h) => !past.some((r) => r.id === h.id)).map((h) => h.cells.name);
    expect(await browser.eval('document.getElementById("table-note").textContent')).toBe(absent.length ? `No state at block ${checkpoint} for ${absent.join(', ')}: not deployed or not indexed yet at that block.` : '');
    expect(past.map((r) => r.cells)).not.toEqual(atHead.map((r) => r.cells));
    await browser.screenshot(path.join(SHOTS, 'time-travel.png'));
    await browser.select('#checkpoint', '');
    await browser.waitFor(`[...document.querySelectorAll('#protocols tbody tr')].every((tr) => tr.dataset.block === '${head}') && document.getElementById('mode').textContent.startsWith('live')`);

    // Live: a Chainlink round halves the price of the chainlink-fed reserve with the most debt; the
    // open page (not reloaded: the marker survives) shows the new block's figures.
    const d = state.devnet[name].deployment as unknown as { pool: Address; deployer: Address; reserves: { underlying: Address; feed: { kind: string; proxy: Address } }[] };
    const markets = await gqlData<{ protocol: { id: string; markets: { asset: { address: string }; totalBorrowedUSD: string | null }[] } }>(url, `{ protocol(id: "${name}", block: ${head}) { id markets { asset { address } totalBorrowedUSD } } }`);
    const borrowed = (a: Address) => Number(markets.protocol.markets.find((m) => m.asset.address.toLowerCase() === a.toLowerCase())?.totalBorrowedUSD ?? 0);
    const reserve = d.reserves.filter((r) => r.feed.kind === 'chainlink-proxy').sort((a, b) => borrowed(b.underlying) - borrowed(a.underlying))[0];
    expect(borrowed(reserve.underlying)).toBeGreaterThan(0);
    const aggregator = await currentAggregator(chain, reserve.feed.proxy);
    const answer = await chain.readContract({ address: aggregator, abi: feedAggregatorAbi, functionName: 'latestAnswer' });
    const signer = createWalletClient({ account: d.deployer, transport: http(state.rpcUrl) });
    const setPrice = async (price: bigint) => {
      const hash = await signer.writeContract({ address: aggregator, abi: feedAggregatorAbi, functionName: 'transmitAnswer', args: [price], chain: null, gas: 300_000n });
      const receipt = await chain.waitForTransactionReceipt({ hash });
      expect(receipt.status).toBe('success');
      return Number(receipt.blockNumber);
    };
    const protocolId = markets.protocol.id;
    const rowBlock = `Number(document.querySelector('#protocols tr[data-id="${protocolId}"]')?.dataset.block)`;
    /**
     * Waits for the row to show `block` or later. graph-node may miss a head notification and poll
     * again only after 30 s: after 8 s without the block, one more (empty) block wakes it instead.
     */
    const reaches = async (block: number) => {
      const there = `window.__notReloaded && ${rowBlock} >= ${block}`;
      await browser!.waitFor(there, 8_000).catch(async () => {
        console.log(`dashboard suite: block ${block} not on the page after 8 s: mining one more block`);
        await testClient.mine({ blocks: 1 });
        await browser!.waitFor(there, 45_000);
      });
      return browser!.eval<number>(rowBlock);
    };
    await browser.eval('window.__notReloaded = true');
    await testClient.impersonateAccount({ address: d.deployer });
    try {
      const moved = await setPrice(answer / 2n);
      const shown = await reaches(moved);
      const live = (await table()).find((r) => r.id === protocolId)!;
      const api = (await apiAt(shown)).find((p) => p.id === protocolId)!;
      const { badDebtRatio: _r, secondsBehind: _s, ...figures } = live.cells;
      expect(figures).toEqual(expected(api));
      expect(live.cells.totalBorrowedUSD).not.toBe(atHead.find((r) => r.id === protocolId)!.cells.totalBorrowedUSD);
      const fund = (await browser.eval<Row[]>(readTable('insurance'))).find((r) => r.id === protocolId)!;
      expect([fund.block, fund.cells]).toEqual([shown, expectedFund(api)]);
      await browser.screenshot(path.join(SHOTS, 'live-update.png'));
    } finally {
      // The price as it was, seen by the page (so the gateway follows it too) before later suites run.
      const restored = await setPrice(answer);
      await testClient.stopImpersonatingAccount({ address: d.deployer });
      await reaches(restored);
    }

    // A phone: one column, every table row a card of "label value" lines, nothing scrolls sideways.
    await browser.viewport({ width: 390, height: 844, isMobile: true, deviceScaleFactor: 2 });
    await browser.waitFor(DETAIL_LOADED, DETAIL_WAIT_MS);
    await fits();
    expect(await browser.eval(`(() => { const td = document.querySelector('#protocols tbody td[data-field="latentBadDebtUSD"]'); return [getComputedStyle(td.parentElement).display, getComputedStyle(td, '::before').content]; })()`)).toEqual(['block', '"Latent bad debt"']);
    await audit(390);
    await browser.screenshot(path.join(SHOTS, 'phone-390.png'));
    expect(await browser.pageErrors()).toEqual([]);
    console.log(`dashboard suite: ${((Date.now() - started) / 1000).toFixed(1)} s in the browser; screenshots in ${SHOTS}`);
  }, 300_000);

  it('a gateway without an RPC: the page says there is no history rather than drawing zeros', async () => {
    const { state } = ctx();
    const rpcLess = await createGateway({ endpoints: Object.entries(state.subgraphs).map(([n, u]) => ({ name: n, url: u })) }).listen(await freePort());
    try {
      browser ??= await startBrowser();
      await browser.viewport({ width: 1400, height: 1000 });
      await browser.goto(rpcLess.url);
      await browser.waitFor(`/history/.test(document.getElementById('history-note').textContent) && !/loading/.test(document.getElementById('history-note').textContent)`);
      expect(await browser.eval('document.getElementById("history-note").textContent')).toBe('no history: this gateway has no RPC');
      expect(await browser.eval('document.querySelector("#history-chart canvas")')).toBeNull();
      await browser.screenshot(path.join(SHOTS, 'no-rpc.png'));
    } finally {
      await rpcLess.stop();
    }
  }, 60_000);
}
