import fs from 'node:fs';
import path from 'node:path';
import { createWalletClient, http, type Address, type PublicClient, type TestClient } from 'viem';
import { currentAggregator, feedAggregatorAbi } from '../../devnet/chainlink/feeds';
import { freePort } from '../../devnet/stack/ports';
import { createGateway } from '../../server/app';
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
}
type Row = { id: string; block: number; cells: Record<string, string | null> };

const FIELDS = 'id name block { number } indexing { indexedBlock { number } secondsBehind } latentBadDebtUSD totalBorrowedUSD insolventAccounts solvencyRatio equityUSD coverageRatio outstandingDeficitUSD realizedBadDebtUSD socializedLossUSD';
const SHOTS = path.join(__dirname, '..', '..', 'test-output', 'dashboard');

/** The protocol table as the page shows it: each cell's text, null where the page shows "none". */
const READ_TABLE = `[...document.querySelectorAll('#protocols tbody tr')].map((tr) => ({
  id: tr.dataset.id, block: Number(tr.dataset.block),
  cells: Object.fromEntries([...tr.cells].map((td) => [td.dataset.field, td.dataset.null ? null : td.textContent])),
}))`;

/** Both charts drawn and every detail note past "loading". */
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
 * The dashboard at / in headless Chromium on the shared stack: the table's figures equal the API's,
 * the block selector shows a checkpoint's, and a price moved on the chain reaches the open page over
 * the head subscription. Moves one price and restores it (two blocks), waiting for the page to show both.
 */
export function dashboardSuite(ctx: () => SuiteCtx, name: string) {
  let browser: Browser | undefined;
  afterAll(async () => {
    await browser?.close();
  }, 30_000);

  it('shows every protocol with the API figures, travels to a checkpoint, and updates live after a price move', async () => {
    const { state, chain, testClient } = ctx();
    const url = state.gatewayUrl;
    const apiAt = async (block: number) => (await gqlData<{ protocols: ApiProtocol[] }>(url, `query($b: Int) { protocols(block: $b) { ${FIELDS} } }`, { b: block })).protocols;
    const table = async () => (browser!.eval<Row[]>(READ_TABLE));
    /** The table equals the API at the block the rows say they show (one block for all: one chain). */
    const checkTable = async (block: number) => {
      const [rows, api] = [await table(), await apiAt(block)];
      expect(rows.map((r) => [r.id, r.block])).toEqual(api.map((p) => [p.id, block]));
      for (const [i, p] of api.entries()) {
        const { badDebtRatio, secondsBehind, ...figures } = rows[i].cells;
        expect(figures).toEqual(expected(p));
        // The one figure the page computes: bad debt / borrowed, rounded down to 6 places.
        expect(Math.abs(Number(badDebtRatio) - Number(p.latentBadDebtUSD) / Number(p.totalBorrowedUSD))).toBeLessThan(2e-6);
        expect(secondsBehind).toMatch(/^\d+$/);
      }
      return rows;
    };
    fs.mkdirSync(SHOTS, { recursive: true });
    const started = Date.now();
    browser = await startBrowser();
    await browser.viewport({ width: 1400, height: 1000 });
    await browser.goto(url);

    // Live at the head, every protocol the API lists.
    const head = Number(await chain.getBlockNumber());
    await browser.waitFor(`document.querySelectorAll('#protocols tbody tr').length > 0 && [...document.querySelectorAll('#protocols tbody tr')].every((tr) => tr.dataset.block === '${head}') && document.getElementById('mode').textContent.startsWith('live')`);
    const atHead = await checkTable(head);
    // The detail of the first protocol: both charts drawn, the underwater accounts the API's.
    await browser.waitFor(DETAIL_LOADED);
    const first = atHead[0].id;
    const underwater = await gqlData<{ accounts: { items: { address: string; badDebtUSD: string }[] } }>(url, `{ accounts(protocol: "${first}", where: { insolvent: true }, orderBy: BAD_DEBT_USD_DESC, first: 10, block: ${head}) { items { address badDebtUSD } } }`);
    expect(await browser.eval(`[...document.querySelectorAll('#accounts tbody tr')].map((tr) => ({ address: tr.cells[0].textContent, badDebtUSD: tr.cells[1].textContent }))`)).toEqual(underwater.accounts.items);
    await browser.screenshot(path.join(SHOTS, 'laptop-head.png'));

    // Time travel: the scenario's last block before the crash.
    const checkpoint = Number(state.devnet[name].scenario.checkpoints.find((c) => c.name === 'before-crash')!.block);
    await browser.type('#block', String(checkpoint));
    await browser.click('#show-block');
    await browser.waitFor(`[...document.querySelectorAll('#protocols tbody tr')].every((tr) => tr.dataset.block === '${checkpoint}')`);
    const past = await checkTable(checkpoint);
    // Protocols deployed after the checkpoint are named as absent, not dropped silently.
    const absent = atHead.filter((h) => !past.some((r) => r.id === h.id)).map((h) => h.cells.name);
    expect(await browser.eval('document.getElementById("table-note").textContent')).toBe(absent.length ? `No state at block ${checkpoint} for ${absent.join(', ')}: not deployed or not indexed yet at that block.` : '');
    expect(past.map((r) => r.cells)).not.toEqual(atHead.map((r) => r.cells));
    await browser.screenshot(path.join(SHOTS, 'time-travel.png'));
    await browser.click('#go-live');
    await browser.waitFor(`[...document.querySelectorAll('#protocols tbody tr')].every((tr) => tr.dataset.block === '${head}')`);

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
    const rowBlock = (block: number) => `document.querySelector('#protocols tr[data-id="${protocolId}"]')?.dataset.block === '${block}'`;
    await browser.eval('window.__notReloaded = true');
    await testClient.impersonateAccount({ address: d.deployer });
    try {
      const moved = await setPrice(answer / 2n);
      // graph-node may miss a head notification and poll again after 30 s: allow for two.
      await browser.waitFor(`window.__notReloaded && ${rowBlock(moved)}`, 75_000);
      const live = (await table()).find((r) => r.id === protocolId)!;
      const api = (await apiAt(moved)).find((p) => p.id === protocolId)!;
      const { badDebtRatio: _r, secondsBehind: _s, ...figures } = live.cells;
      expect(figures).toEqual(expected(api));
      expect(live.cells.totalBorrowedUSD).not.toBe(atHead.find((r) => r.id === protocolId)!.cells.totalBorrowedUSD);
      await browser.screenshot(path.join(SHOTS, 'live-update.png'));
    } finally {
      // The price as it was, seen by the page (so the gateway follows it too) before later suites run.
      const restored = await setPrice(answer);
      await testClient.stopImpersonatingAccount({ address: d.deployer });
      await browser.waitFor(rowBlock(restored), 75_000);
    }

    // A phone: one column, the detail loaded, the table scrolls sideways inside its own box, not the page.
    await browser.viewport({ width: 390, height: 844, isMobile: true, deviceScaleFactor: 2 });
    await browser.waitFor(DETAIL_LOADED);
    expect(await browser.eval('document.documentElement.scrollWidth <= window.innerWidth + 1')).toBe(true);
    await browser.screenshot(path.join(SHOTS, 'phone.png'));
    expect(await browser.pageErrors()).toEqual([]);
    console.log(`dashboard suite: ${((Date.now() - started) / 1000).toFixed(1)} s in the browser; screenshots in ${SHOTS}`);
  }, 240_000);

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
