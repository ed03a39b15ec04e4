// Headless Chromium (@sparticuz/chromium + puppeteer-core), driven over the IPC channel of the
// process that forked this one. Both packages are ES modules only, which jest's CommonJS runtime
// cannot load: the test process sends commands here instead (test/support/browser.ts).
import chromium from '@sparticuz/chromium';
import puppeteer from 'puppeteer-core';

// The machine's locale may be one Chromium's Intl rejects (en-US@posix): pin a plain one.
const browser = await puppeteer.launch({
  executablePath: await chromium.executablePath(),
  args: [...chromium.args, '--lang=en-US'],
  env: { ...process.env, LANG: 'en_US.UTF-8', LC_ALL: 'en_US.UTF-8' },
  headless: true,
});
const page = await browser.newPage();
const pageErrors = [];
const answers = [];
let intercepting = false;
page.on('pageerror', (e) => pageErrors.push(String(e.message ?? e)));

const ops = {
  viewport: (m) => page.setViewport(m.viewport),
  goto: (m) => page.goto(m.url, { waitUntil: 'networkidle0', timeout: m.timeoutMs }).then(() => undefined),
  // A JS expression evaluated in the page; its JSON-serializable value comes back.
  eval: (m) => page.evaluate(m.source),
  waitFor: (m) => page.waitForFunction(m.source, { timeout: m.timeoutMs, polling: 100 }).then(() => undefined),
  type: async (m) => {
    await page.$eval(m.selector, (el) => (el.value = ''));
    await page.type(m.selector, m.text);
  },
  click: (m) => page.click(m.selector),
  select: (m) => page.select(m.selector, m.value).then(() => undefined),
  // A script file (e.g. axe-core's axe.min.js) added to the page as it is now.
  addScript: (m) => page.addScriptTag({ path: m.path }).then(() => undefined),
  // Answers the page's POSTs whose body contains `match` with `body` (JSON, status 200) instead of the
  // server; every other request goes through.
  answer: async (m) => {
    // body null: that match goes to the server again.
    if (m.body === null) return void answers.splice(0, answers.length, ...answers.filter((a) => a.match !== m.match));
    answers.push({ match: m.match, body: m.body });
    if (!intercepting) {
      intercepting = true;
      await page.setRequestInterception(true);
      page.on('request', (req) => {
        if (req.isInterceptResolutionHandled()) return;
        const hit = req.method() === 'POST' && answers.find((a) => (req.postData() ?? '').includes(a.match));
        if (hit) req.respond({ status: 200, contentType: 'application/json', body: hit.body });
        else req.continue();
      });
    }
  },
  screenshot: (m) => page.screenshot({ path: m.path, fullPage: true }).then(() => undefined),
  errors: () => pageErrors,
};

let closing = false;
const close = async () => {
  if (closing) return;
  closing = true;
  await browser.close().catch(() => undefined);
};

process.on('message', async (m) => {
  if (m.op === 'close') {
    await close();
    process.send({ id: m.id, ok: true }, () => process.exit(0));
    return;
  }
  try {
    process.send({ id: m.id, ok: true, value: await ops[m.op](m) });
  } catch (err) {
    process.send({ id: m.id, ok: false, error: String(err?.stack ?? err) });
  }
});
// The test process gone (crashed, killed): close the browser rather than leave it running.
process.on('disconnect', () => close().then(() => process.exit(0)));
process.send({ ready: true });
