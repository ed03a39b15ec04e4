// The dashboard's files, and the page in a real headless Chromium when the API cannot answer: it
// says why (the API's message and code) instead of showing zeros. The shared e2e stack runs the
// figures, time travel and live updates (test/e2e/dashboard.suite.ts).
import { createGateway } from '../../server/app';
import { freePort } from '../../devnet/stack/ports';
import { closedPortUrl } from '../support/processes';
import { startBrowser, type Browser } from '../support/browser';

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
    expect(await page.text()).toMatch(/<table id="protocols">/);
    const js = await fetch(new URL('/dashboard/uplot.js', gateway.url));
    expect([js.status, js.headers.get('content-type')]).toEqual([200, 'text/javascript; charset=utf-8']);
    expect(await js.text()).toMatch(/uPlot/);
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
    expect(await browser.pageErrors()).toEqual([]);
  }, 60_000);
});
