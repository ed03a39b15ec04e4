// The dashboard's files, its exact arithmetic (figures.js), and the page in a real headless Chromium
// when the API cannot answer: it says why (the API's message and code) instead of showing zeros, and
// passes axe-core. The shared e2e stack runs the figures, time travel, live updates, curves, layouts
// and the audit of the full page (test/e2e/dashboard.suite.ts). (The replay recording cannot serve
// the page: it has no RealizedBadDebt rows.)
import { createGateway } from '../../server/app';
import { freePort } from '../../devnet/stack/ports';
import { closedPortUrl } from '../support/processes';
import { startBrowser, type Browser } from '../support/browser';
import { seriousA11yViolations } from '../support/axe';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const F = require('../../server/dashboard/figures.js') as {
  ratio(a: string, b: string, places: number): string | null;
  sum(values: string[]): string;
  compare(a: string, b: string): number;
  collateralAssets(accounts: { positions: Position[] }[], n: number): { top: { address: string; symbol: string; collateralUSD: string; positions: number }[]; ranked: number; unpriced: string[] };
  checkpoints(events: { protocol: string; kind: string; block: number }[], max: number): { block: number; label: string }[];
};
type Position = { asset: { address: string; symbol: string | null }; supplied: string; suppliedUSD: string | null; collateral: boolean };

describe('dashboard figures (figures.js): exact on decimal strings', () => {
  it('ratio rounds toward zero at the places asked; null over zero', () => {
    expect(F.ratio('1', '3', 6)).toBe('0.333333');
    expect(F.ratio('10638.854304', '157119.21962217', 6)).toBe('0.067711');
    expect(F.ratio('-2', '3', 4)).toBe('-0.6666');
    expect(F.ratio('5', '0.000', 6)).toBeNull();
  });

  it('sum and compare carry every decimal (no float)', () => {
    expect(F.sum(['0.1', '0.2'])).toBe('0.3');
    expect(F.sum(['12345678901234567890.000000000000000001', '1'])).toBe('12345678901234567891.000000000000000001');
    expect(F.sum(['-1.5', '1.5'])).toBe('0');
    expect(F.sum([])).toBe('0');
    expect(F.compare('0.30000000000000000001', '0.3')).toBe(1);
    expect(F.compare('-1', '0')).toBe(-1);
    expect(F.compare('2.50', '2.5')).toBe(0);
    expect(() => F.sum(['1e3'])).toThrow(RangeError);
  });

  it('collateral assets: collateral positions only, largest summed value first, unpriced ones named apart', () => {
    const pos = (address: string, supplied: string, suppliedUSD: string | null, collateral = true): Position => ({ asset: { address, symbol: address.toUpperCase() }, supplied, suppliedUSD, collateral });
    const accounts = [
      { positions: [pos('a', '1', '100.5'), pos('b', '2', '300'), pos('loan', '0', '0', false)] },
      { positions: [pos('a', '1', '250.25'), pos('c', '1', '50'), pos('d', '5', null)] },
      // Supplied but not collateral (flag off): not collateral value.
      { positions: [pos('e', '9', '9999', false), pos('c', '1', '0.75')] },
    ];
    const r = F.collateralAssets(accounts, 2);
    expect(r.top).toEqual([
      { address: 'a', symbol: 'A', collateralUSD: '350.75', positions: 2 },
      { address: 'b', symbol: 'B', collateralUSD: '300', positions: 1 },
    ]);
    expect([r.ranked, r.unpriced]).toEqual([3, ['D']]);
  });

  it('checkpoints: one per block, newest first, what happened there per protocol', () => {
    const cps = F.checkpoints([
      { protocol: 'Aave', kind: 'liquidation', block: 7 },
      { protocol: 'Aave', kind: 'liquidation', block: 7 },
      { protocol: 'Morpho', kind: 'bad debt', block: 7 },
      { protocol: 'Aave', kind: 'liquidation', block: 3 },
      { protocol: 'Aave', kind: 'bad debt', block: 9 },
    ], 2);
    expect(cps).toEqual([
      { block: 9, label: 'block 9: Aave 1 bad debt' },
      { block: 7, label: 'block 7: Morpho 1 bad debt, Aave 2 liquidations' },
    ]);
  });
});

describe('dashboard', () => {
  let gateway: Awaited<ReturnType<ReturnType<typeof createGateway>['listen']>>;
  let browser: Browser | undefined;
  beforeAll(async () => {
    gateway = await createGateway({ endpoints: [{ name: 'aave-v3', url: await closedPortUrl('/subgraphs/name/aave-v3') }] }).listen(await freePort());
  });
  afterAll(async () => {
    await browser?.close();
    await gateway?.stop();
  });

  it('serves its files and the query form, and refuses other /dashboard/ paths with a code', async () => {
    const page = await fetch(gateway.url, { headers: { accept: 'text/html' } });
    expect(await page.text()).toMatch(/<table id="protocols" class="cards">/);
    for (const file of ['uplot.js', 'figures.js', 'app.js']) {
      const js = await fetch(new URL(`/dashboard/${file}`, gateway.url));
      expect([file, js.status, js.headers.get('content-type')]).toEqual([file, 200, 'text/javascript; charset=utf-8']);
    }
    expect(await (await fetch(new URL('/dashboard/uplot.js', gateway.url))).text()).toMatch(/uPlot/);
    const form = await fetch(new URL('/dashboard/query', gateway.url));
    expect(await form.text()).toMatch(/<textarea id="q">/);
    const none = await fetch(new URL('/dashboard/assets.ts', gateway.url));
    expect([none.status, ((await none.json()) as { errors: { extensions: { code: string } }[] }).errors[0].extensions.code]).toEqual([404, 'NOT_FOUND']);
    // The GraphQL endpoint stays where it is.
    const api = await fetch(gateway.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"query":"{ __typename }"}' });
    expect(await api.json()).toMatchObject({ data: { __typename: 'Query' } });
  });

  it('says the API could not answer, with its code, and shows no rows', async () => {
    browser = await startBrowser();
    await browser.goto(gateway.url);
    await browser.waitFor(`!document.getElementById('table-error').hidden`);
    expect(await browser.eval('document.getElementById("table-error").textContent')).toMatch(/^The API refused: .*\(SUBGRAPH_UNAVAILABLE\)$/);
    expect(await browser.eval("document.querySelectorAll('#protocols tbody tr').length")).toBe(0);
    expect(await browser.eval("document.getElementById('mode').textContent")).toBe('error');
    // Even the error page passes axe-core (serious and critical rules).
    expect(await seriousA11yViolations(browser)).toEqual([]);
    // The audit can fail: an unlabelled field and grey-on-white text are found.
    await browser.eval(`document.querySelector('main').insertAdjacentHTML('beforeend', '<input type="text"><p style="color:#bbb">faint</p>')`);
    expect((await seriousA11yViolations(browser)).map((v) => v.id).sort()).toEqual(['color-contrast', 'label']);
    expect(await browser.pageErrors()).toEqual([]);
  }, 60_000);
});
