import { createHmac, timingSafeEqual } from 'node:crypto';
import http2 from 'node:http';
import { createClient, type Client } from 'graphql-ws';
import { createGateway } from '../../server/app';
import { parseWebhookConfig } from '../../server/alerts/webhooks';
import { freePort } from '../../devnet/stack/ports';
import { closedPortUrl } from '../support/processes';
import WebSocket from 'ws';
import { createWalletClient, http, parseAbi, type Address, type PublicClient, type TestClient } from 'viem';
import { currentAggregator, feedAggregatorAbi } from '../../devnet/chainlink/feeds';
import { formatUnits, parseUnits } from 'viem';
import { gqlData } from '../support/gateway-client';
import { scrape } from '../support/prometheus';
import type { RiskDaoFile } from '../../server/riskdao/format';
import type { StackState } from '../support/stack-process';

interface SuiteCtx {
  state: StackState;
  chain: PublicClient;
  testClient: TestClient;
}

const POOL_ABI = parseAbi(['function getUserAccountData(address user) view returns (uint256 totalCollateralBase, uint256 totalDebtBase, uint256 availableBorrowsBase, uint256 currentLiquidationThreshold, uint256 ltv, uint256 healthFactor)']);

interface AlertMsg {
  id: string;
  rule: string;
  protocol: string;
  block: { number: number; hash: string; timestamp: number };
  value: string | null;
  threshold: string | null;
  address: string | null;
  account: { address: string; badDebtUSD: string; healthFactor: string | null; debtUSD: string; collateralUSD: string; liquidatable: boolean } | null;
}
type HeadMsg = { block: { number: number; hash: string }; latentBadDebtUSD: string; insolventAccounts: number; liquidatableAccounts: number; solvencyRatio: string | null; equityUSD: string; totalBorrowedUSD: string };

const HEAD_FIELDS = 'block { number hash } latentBadDebtUSD insolventAccounts liquidatableAccounts solvencyRatio equityUSD totalBorrowedUSD';
const ACCOUNT_FIELDS = 'address badDebtUSD healthFactor debtUSD collateralUSD liquidatable';

/** graph-node sometimes misses a chain-head notification and polls again after 30 s: waits allow for two. */
async function until<T>(what: string, probe: () => Promise<T | null | undefined | false> | T | null | undefined | false, timeoutMs = 75_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await Promise.resolve(probe()).catch(() => null);
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** The accounts the query API lists as insolvent / liquidatable at a block. */
async function flagged(url: string, name: string, block: number) {
  const q = (filter: string) => `accounts(protocol: "${name}", where: { ${filter}: true }, first: 1000, block: ${block}) { totalCount items { ${ACCOUNT_FIELDS} } }`;
  const data = await gqlData<{ insolvent: { items: AlertMsg['account'][] }; liquidatable: { items: AlertMsg['account'][] } }>(url, `{ insolvent: ${q('insolvent')} liquidatable: ${q('liquidatable')} }`);
  return { insolvent: new Map(data.insolvent.items.map((a) => [a!.address, a!])), liquidatable: new Map(data.liquidatable.items.map((a) => [a!.address, a!])) };
}

const PROTOCOL_GAUGES: [string, string][] = [
  ['baddebt_total_supplied_usd', 'totalSuppliedUSD'],
  ['baddebt_total_borrowed_usd', 'totalBorrowedUSD'],
  ['baddebt_latent_bad_debt_usd', 'latentBadDebtUSD'],
  ['baddebt_insolvent_accounts', 'insolventAccounts'],
  ['baddebt_liquidatable_accounts', 'liquidatableAccounts'],
  ['baddebt_liquidatable_debt_usd', 'liquidatableDebtUSD'],
  ['baddebt_unliquidatable_accounts', 'unliquidatableAccounts'],
  ['baddebt_solvency_ratio', 'solvencyRatio'],
  ['baddebt_equity_usd', 'equityUSD'],
  ['baddebt_coverage_ratio', 'coverageRatio'],
  ['baddebt_outstanding_deficit_usd', 'outstandingDeficitUSD'],
  ['baddebt_reserves_usd', 'reservesUSD'],
  ['baddebt_accounts', 'accountCount'],
  ['baddebt_realized_bad_debt_usd', 'realizedBadDebtUSD'],
  ['baddebt_socialized_loss_usd', 'socializedLossUSD'],
];
const MARKET_GAUGES: [string, string][] = [
  ['baddebt_market_total_borrowed_usd', 'totalBorrowedUSD'],
  ['baddebt_market_latent_bad_debt_usd', 'latentBadDebtUSD'],
  ['baddebt_market_insolvent_accounts', 'insolventAccounts'],
  ['baddebt_market_liquidatable_accounts', 'liquidatableAccounts'],
  ['baddebt_market_liquidatable_debt_usd', 'liquidatableDebtUSD'],
  ['baddebt_market_solvency_ratio', 'solvencyRatio'],
  ['baddebt_market_equity_usd', 'equityUSD'],
  ['baddebt_market_coverage_ratio', 'coverageRatio'],
  ['baddebt_market_outstanding_deficit_usd', 'outstandingDeficitUSD'],
];

/**
 * /metrics, read by an independent Prometheus text parser once its figures are at `block`, against the
 * query API at that block: every protocol and market gauge (a null figure has no series), the
 * insolvent accounts' debt against the sum of their debtUSD, and the subgraph and chain heads.
 */
async function metricsEqualQueryApi(url: string, name: string, block: number) {
  const m = await until(`/metrics at block ${block}`, async () => {
    const s = await scrape(url);
    return s.value('baddebt_view_block', { endpoint: name }) === block && s;
  });
  expect(m.contentType).toMatch(/^text\/plain; version=0\.0\.4/);
  const fields = [...new Set([...PROTOCOL_GAUGES, ...MARKET_GAUGES].map(([, f]) => f))];
  const marketFields = MARKET_GAUGES.map(([, f]) => f).join(' ');
  const q = await gqlData<{ protocol: Record<string, string | number | null> & { id: string; markets: (Record<string, string | number | null> & { id: string })[] }; accounts: { items: { debtUSD: string }[] } }>(
    url,
    `{ protocol(id: "${name}", block: ${block}) { id ${fields.filter((f) => PROTOCOL_GAUGES.some(([, g]) => g === f)).join(' ')} markets { id ${marketFields} } }
       accounts(protocol: "${name}", where: { insolvent: true }, first: 1000, block: ${block}) { items { debtUSD } } }`,
  );
  const labels = { endpoint: name, protocol: q.protocol.id };
  const asNumber = (v: string | number | null) => (v === null ? undefined : Number(v));
  for (const [gauge, field] of PROTOCOL_GAUGES) expect({ gauge, value: m.value(gauge, labels) }).toEqual({ gauge, value: asNumber(q.protocol[field]) });
  for (const market of q.protocol.markets) {
    for (const [gauge, field] of MARKET_GAUGES) expect({ gauge, market: market.id, value: m.value(gauge, { ...labels, market: market.id }) }).toEqual({ gauge, market: market.id, value: asNumber(market[field]) });
  }
  // Base currency: 8 decimals (Aave's USD unit), summed exactly here.
  const insolventDebt = q.accounts.items.reduce((sum, a) => sum + parseUnits(a.debtUSD, 8), 0n);
  expect(m.value('baddebt_insolvent_debt_usd', labels)).toBe(Number(formatUnits(insolventDebt, 8)));
  expect(m.value('baddebt_subgraph_indexed_block', { endpoint: name })).toBeGreaterThanOrEqual(block);
  expect(m.value('baddebt_chain_head_block')).toBeGreaterThanOrEqual(block);
  expect(m.value('baddebt_gateway_http_requests_total', { route: 'graphql', status: '200' })).toBeGreaterThan(0);
  return m;
}

/** A webhook receiver that refuses its first `failFirst` requests (HTTP 500), then accepts; it verifies every signature itself. */
async function startReceiver(secret: string, failFirst: number) {
  const requests: { id: string; attempt: number; status: number; signatureOk: boolean; body: Record<string, unknown> }[] = [];
  const server = http2.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      const timestamp = String(req.headers['x-baddebt-timestamp']);
      const expected = Buffer.from(`v1=${createHmac('sha256', secret).update(`${timestamp}.${raw}`).digest('hex')}`);
      const given = Buffer.from(String(req.headers['x-baddebt-signature']));
      const body = JSON.parse(raw) as Record<string, unknown>;
      const signatureOk = given.length === expected.length && timingSafeEqual(given, expected) && String(body.sentAt) === timestamp && Math.abs(Date.now() / 1000 - Number(timestamp)) < 300;
      const status = requests.length < failFirst ? 500 : 200;
      requests.push({ id: String(req.headers['x-baddebt-alert-id']), attempt: Number(req.headers['x-baddebt-attempt']), status, signatureOk, body });
      res.writeHead(status).end();
    });
  });
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${port}/hook`, requests, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

/**
 * A bot on graphql-ws: subscribed to `alerts` and `head`, it sees a price crash made on anvil (one
 * Chainlink round on the aggregator behind the proxy Aave's oracle reads) within that very block:
 * every account the crash turns insolvent or liquidatable, and the latent bad debt crossing its
 * threshold, with the block's number and hash and the figures the query API gives at that block;
 * the chain's own getUserAccountData agrees on who crossed. The price is put back afterwards.
 */
export function alertsSuite(ctx: () => SuiteCtx, name: string) {
  it('a graphql-ws subscriber gets the crash block (head) and its alerts with the query API figures of that block', async () => {
    const { state, chain, testClient } = ctx();
    const url = state.gatewayUrl;
    const d = state.devnet[name].deployment as unknown as { pool: Address; deployer: Address; reserves: { symbol: string; underlying: Address; feed: { kind: string; proxy: Address } }[] };
    const headNumber = Number(await chain.getBlockNumber());
    type Status = { gatewayStatus: { pushListeners: number; followedViews: { endpoint: string; block: { number: number } }[] } };
    const status = () => gqlData<Status>(url, '{ gatewayStatus { pushListeners followedViews { endpoint block { number } } } }');
    await until('the gateway to follow the head', async () => (await status()).gatewayStatus.followedViews.find((v) => v.endpoint === name)?.block.number === headNumber);

    // The crash: the chainlink-fed reserve whose 90% drop turns the most accounts insolvent (judged on the query API's positions).
    const before = await gqlData<{ protocol: { latentBadDebtUSD: string; markets: { id: string; asset: { address: string } }[] }; accounts: { items: { address: string; collateralUSD: string; debtUSD: string; positions: { asset: { address: string }; collateral: boolean; suppliedUSD: string | null; borrowedUSD: string | null }[] }[] } }>(
      url,
      `{ protocol(id: "${name}", block: ${headNumber}) { latentBadDebtUSD markets { id asset { address } } }
         accounts(protocol: "${name}", where: { insolvent: false, minDebtUSD: "0.00000001" }, first: 200, block: ${headNumber}) { items { address collateralUSD debtUSD positions { asset { address } collateral suppliedUSD borrowedUSD } } } }`,
    );
    const candidates = d.reserves.filter((r) => r.feed.kind === 'chainlink-proxy');
    const turned = (asset: string) =>
      before.accounts.items.filter((a) => {
        let collateral = Number(a.collateralUSD);
        let debt = Number(a.debtUSD);
        for (const p of a.positions.filter((x) => x.asset.address.toLowerCase() === asset.toLowerCase())) {
          if (p.collateral) collateral -= 0.9 * Number(p.suppliedUSD ?? 0);
          debt -= 0.9 * Number(p.borrowedUSD ?? 0);
        }
        return debt > collateral;
      }).length;
    const reserve = candidates.map((r) => ({ r, n: turned(r.underlying) })).sort((a, b) => b.n - a.n)[0];
    expect(reserve.n).toBeGreaterThan(0);
    const aggregator = await currentAggregator(chain, reserve.r.feed.proxy);
    const answer = await chain.readContract({ address: aggregator, abi: feedAggregatorAbi, functionName: 'latestAnswer' });

    // Webhooks, from a second gateway in this process (its own follow loop): one target refuses its
    // first three requests, the other is a closed port that never answers.
    const secret = 'e2e-webhook-secret-0123456789';
    const receiver = await startReceiver(secret, 3);
    const hookLog: string[] = [];
    const rules = { accountInsolvent: true, accountLiquidatable: true, latentBadDebtAboveUSD: before.protocol.latentBadDebtUSD };
    const config = { targets: [{ name: 'flaky', url: receiver.url, secretEnv: 'HOOK_SECRET', protocol: name, rules }, { name: 'down', url: await closedPortUrl('/hook'), secret, protocol: name, rules }] };
    const hooked = createGateway({
      endpoints: Object.entries(state.subgraphs).map(([n, u]) => ({ name: n, url: u })),
      rpcUrl: state.rpcUrl,
      followIntervalMs: 500,
      webhooks: parseWebhookConfig(JSON.stringify(config), { HOOK_SECRET: secret }),
      webhookRetry: { baseMs: 100, maxMs: 500, maxAttempts: 1000 },
      log: (line) => hookLog.push(line),
    });
    const hookedListening = await hooked.listen(await freePort());
    const client: Client = createClient({ url: url.replace(/^http/, 'ws'), webSocketImpl: WebSocket, retryAttempts: 0, lazy: false });
    const alerts: AlertMsg[] = [];
    const heads: HeadMsg[] = [];
    const errors: unknown[] = [];
    const listenersBefore = (await status()).gatewayStatus.pushListeners;
    const stops = [
      client.subscribe<{ alerts: AlertMsg }>(
        {
          query: `subscription($p: ID!, $t: String!) { alerts(protocol: $p, rules: { accountInsolvent: true, accountLiquidatable: true, latentBadDebtAboveUSD: $t }) { id rule protocol block { number hash timestamp } value threshold address account { ${ACCOUNT_FIELDS} } } }`,
          variables: { p: name, t: before.protocol.latentBadDebtUSD },
        },
        { next: (m) => (m.data ? alerts.push(m.data.alerts) : errors.push(m.errors)), error: (e) => errors.push(e), complete: () => undefined },
      ),
      client.subscribe<{ head: HeadMsg }>({ query: `subscription { head(protocol: "${name}") { ${HEAD_FIELDS} } }` }, { next: (m) => (m.data ? heads.push(m.data.head) : errors.push(m.errors)), error: (e) => errors.push(e), complete: () => undefined }),
    ];
    const signer = createWalletClient({ account: d.deployer, transport: http(state.rpcUrl) });
    const setPrice = async (price: bigint) => {
      const hash = await signer.writeContract({ address: aggregator, abi: feedAggregatorAbi, functionName: 'transmitAnswer', args: [price], chain: null, gas: 300_000n });
      const receipt = await chain.waitForTransactionReceipt({ hash });
      expect(receipt.status).toBe('success');
      return { number: Number(receipt.blockNumber), hash: receipt.blockHash };
    };
    await testClient.impersonateAccount({ address: d.deployer });
    try {
      // Both subscriptions are registered, and the head one has sent the block the gateway holds.
      await until('both webhook targets to watch the protocol', () => ['flaky', 'down'].every((t) => hookLog.some((l) => l.startsWith(`webhook ${t}: watching`))));
      await until('the subscriptions to be registered', async () => (await status()).gatewayStatus.pushListeners >= listenersBefore + 2 && heads.length > 0);
      expect(heads[0].block.number).toBe(headNumber);
      expect(errors).toEqual([]);

      const crash = await setPrice(answer / 10n);
      const crashHead = await until('the head event of the crash block', () => heads.find((h) => h.block.number === crash.number));
      const [atCrash, atBefore, query] = await Promise.all([
        flagged(url, name, crash.number),
        flagged(url, name, headNumber),
        gqlData<{ protocol: HeadMsg }>(url, `{ protocol(id: "${name}", block: ${crash.number}) { ${HEAD_FIELDS} } }`),
      ]);
      // The pushed figures are the query API's at that block, hash included.
      expect(crashHead).toEqual(query.protocol);
      expect(crashHead.block.hash).toBe(crash.hash);
      // Prometheus sees the crash at the same block, with the same figures.
      const m = await metricsEqualQueryApi(url, name, crash.number);
      expect(m.value('baddebt_latent_bad_debt_usd', { endpoint: name })).toBeGreaterThan(Number(before.protocol.latentBadDebtUSD));
      // And the Risk DAO file a cron bot reads is at the crash block.
      const network = (await gqlData<{ protocol: { network: string } }>(url, `{ protocol(id: "${name}") { network } }`)).protocol.network;
      const file = await riskDaoFileChecks(url, name, `/bad-debt/latest/${network}_${name}.json`, chain, d.pool);
      expect(file.block).toBe(crash.number);

      const newly = (kind: 'insolvent' | 'liquidatable') => [...atCrash[kind].keys()].filter((a) => !atBefore[kind].has(a)).sort();
      const expected = { ACCOUNT_INSOLVENT: newly('insolvent'), ACCOUNT_LIQUIDATABLE: newly('liquidatable'), LATENT_BAD_DEBT_ABOVE: ['-'] };
      expect(expected.ACCOUNT_INSOLVENT.length).toBeGreaterThan(0);
      const total = Object.values(expected).reduce((n, l) => n + l.length, 0);
      await until(`${total} alerts`, () => alerts.length >= total, 30_000);
      await new Promise((r) => setTimeout(r, 1500)); // nothing more may come
      const got = (rule: string) => alerts.filter((a) => a.rule === rule).map((a) => a.address ?? '-').sort();
      expect({ ACCOUNT_INSOLVENT: got('ACCOUNT_INSOLVENT'), ACCOUNT_LIQUIDATABLE: got('ACCOUNT_LIQUIDATABLE'), LATENT_BAD_DEBT_ABOVE: got('LATENT_BAD_DEBT_ABOVE') }).toEqual(expected);
      expect(alerts).toHaveLength(total);
      // Each alert reaches the flaky target exactly once, once it recovers, signed, with the same id and figures (another gateway).
      await until('the webhook deliveries', () => receiver.requests.filter((r) => r.status === 200).length >= total, 60_000);
      await new Promise((r) => setTimeout(r, 1000));
      const accepted = receiver.requests.filter((r) => r.status === 200);
      expect(accepted.map((r) => r.id).sort()).toEqual(alerts.map((a) => a.id).sort());
      expect(receiver.requests.slice(0, 3).map((r) => r.status)).toEqual([500, 500, 500]);
      expect(accepted.some((r) => r.attempt > 1)).toBe(true);
      expect(receiver.requests.every((r) => r.signatureOk)).toBe(true);
      for (const r of accepted) {
        const a = alerts.find((x) => x.id === r.id)!;
        expect({ rule: r.body.rule, block: r.body.block, value: r.body.value, address: r.body.address }).toEqual({ rule: a.rule, block: a.block, value: a.value, address: a.address });
      }
      // The dead target was tried all along and never held the other one up.
      expect(hookLog.filter((l) => l.startsWith('webhook down:') && /failed \(connection failed\)/.test(l)).length).toBeGreaterThan(1);
      expect(hookLog.some((l) => l.startsWith('webhook down:') && l.includes('delivered'))).toBe(false);
      // And Prometheus counts it: every acceptance, and the refused attempts.
      const hm = await scrape(hookedListening.url);
      expect(hm.value('baddebt_webhook_deliveries_total', { target: 'flaky', outcome: 'delivered' })).toBe(total);
      expect(hm.value('baddebt_webhook_deliveries_total', { target: 'flaky', outcome: 'attempt_failed' })).toBe(3);
      expect(hm.value('baddebt_webhook_deliveries_total', { target: 'down', outcome: 'delivered' })).toBeUndefined();
      if (process.env.ALERTS_DEBUG) console.log(JSON.stringify({ expected, alerts: alerts.map((a) => [a.rule, a.address, a.value]) }));
      expect(new Set(alerts.map((a) => a.id)).size).toBe(total);

      for (const a of alerts) {
        expect({ rule: a.rule, block: a.block.number, hash: a.block.hash, protocol: a.protocol }).toEqual({ rule: a.rule, block: crash.number, hash: crash.hash, protocol: d.pool.toLowerCase() });
        if (a.rule === 'LATENT_BAD_DEBT_ABOVE') {
          expect({ value: a.value, threshold: a.threshold }).toEqual({ value: query.protocol.latentBadDebtUSD, threshold: before.protocol.latentBadDebtUSD });
          continue;
        }
        const listed = (a.rule === 'ACCOUNT_INSOLVENT' ? atCrash.insolvent : atCrash.liquidatable).get(a.address!);
        // The account's figures are the query API's at the crash block; the value is its bad debt / health factor there.
        expect(a.account).toEqual(listed);
        expect(a.value).toBe(a.rule === 'ACCOUNT_INSOLVENT' ? listed!.badDebtUSD : listed!.healthFactor);
        // And the chain agrees: crossed at this block, not before (Aave's own getUserAccountData).
        const [nowData, beforeData] = await Promise.all(
          [crash.number, crash.number - 1].map((b) => chain.readContract({ address: d.pool, abi: POOL_ABI, functionName: 'getUserAccountData', args: [a.address as Address], blockNumber: BigInt(b) })),
        );
        if (a.rule === 'ACCOUNT_INSOLVENT') expect([nowData[1] > nowData[0], beforeData[1] > beforeData[0]]).toEqual([true, false]);
        else expect([nowData[5] < 10n ** 18n, beforeData[5] < 10n ** 18n]).toEqual([true, false]);
      }
      expect(errors).toEqual([]);
    } finally {
      for (const stop of stops) stop();
      // The price as it was, followed by the gateway, so later suites see the scenario's figures.
      const restored = await setPrice(answer);
      await testClient.stopImpersonatingAccount({ address: d.deployer });
      await until('the gateway to follow the restored price', async () => (await status()).gatewayStatus.followedViews.find((v) => v.endpoint === name)?.block.number === restored.number);
      await client.dispose();
      await hookedListening.stop();
      await receiver.close();
    }
  }, 300_000);
}

const getJson = async <T>(url: string) => {
  const res = await fetch(url);
  return { status: res.status, block: Number(res.headers.get('x-block-number')), hash: res.headers.get('x-block-hash'), body: (await res.json()) as T };
};

/**
 * The Risk DAO file as the existing bots read it (spalen0/bad-debt-alert: `int(total) * -1` is the bad
 * debt, its ratio to `int(tvl)`; the top accounts by `int(badDebt)`), against the query API at the
 * file's block and against Aave's own getUserAccountData (their Aave V3 parser's collateral - debt).
 */
async function riskDaoFileChecks(url: string, name: string, path: string, chain: PublicClient, pool: Address) {
  const file = await getJson<RiskDaoFile>(new URL(path, url).href);
  expect(file.status).toBe(200);
  const f = file.body;
  expect(Object.keys(f).sort()).toEqual(['borrows', 'calculatedBorrows', 'decimals', 'deposits', 'total', 'tvl', 'updated', 'users']);
  for (const key of ['total', 'updated', 'decimals', 'tvl', 'deposits', 'borrows', 'calculatedBorrows'] as const) expect({ key, v: /^-?\d+$/.test(f[key]) }).toEqual({ key, v: true });
  for (const u of f.users) expect(/^-\d+$/.test(u.badDebt)).toBe(true);
  const block = file.block;
  const header = await chain.getBlock({ blockNumber: BigInt(block) });
  expect({ updated: Number(f.updated), hash: file.hash }).toEqual({ updated: Number(header.timestamp), hash: header.hash });
  const q = await gqlData<{ protocol: { latentBadDebtUSD: string; totalBorrowedUSD: string }; accounts: { items: { address: string; badDebtUSD: string }[] } }>(
    url,
    `{ protocol(id: "${name}", block: ${block}) { latentBadDebtUSD totalBorrowedUSD }
       accounts(protocol: "${name}", where: { insolvent: true }, orderBy: BAD_DEBT_USD_DESC, first: 1000, block: ${block}) { items { address badDebtUSD } } }`,
  );
  const decimals = Number(f.decimals);
  expect(decimals).toBe(18);
  // The bot's reading: bad debt = int(total) * -1, in units of 10^decimals.
  const badDebt = BigInt(f.total) * -1n;
  expect(badDebt).toBe(parseUnits(q.protocol.latentBadDebtUSD, decimals));
  expect(BigInt(f.calculatedBorrows)).toBe(parseUnits(q.protocol.totalBorrowedUSD, decimals));
  expect(BigInt(f.tvl)).toBe(BigInt(f.deposits) - BigInt(f.borrows));
  expect(BigInt(f.tvl)).toBeGreaterThan(0n);
  // Top accounts by int(badDebt): the query API's worst accounts, in the same order.
  const top = [...f.users].sort((a, b) => (BigInt(a.badDebt) < BigInt(b.badDebt) ? -1 : BigInt(a.badDebt) > BigInt(b.badDebt) ? 1 : 0));
  expect(top.map((u) => [u.user, -BigInt(u.badDebt)])).toEqual(q.accounts.items.map((a) => [a.address, parseUnits(a.badDebtUSD, decimals)]));
  // And Aave's own figures for each of them (base currency, 8 decimals).
  for (const u of f.users) {
    const [collateral, debt] = await chain.readContract({ address: pool, abi: POOL_ABI, functionName: 'getUserAccountData', args: [u.user as Address], blockNumber: BigInt(block) });
    expect({ user: u.user, badDebt: BigInt(u.badDebt) }).toEqual({ user: u.user, badDebt: (collateral - debt) * 10n ** 10n });
  }
  return { block, file: f };
}

/** The Risk DAO files: the latest at the head, and the dated one at the last block of a day the scenario spans. */
export function riskDaoSuite(ctx: () => SuiteCtx, name: string) {
  it('the Risk DAO files pass the checks the existing bots apply, with the query API and the chain', async () => {
    const { state, chain } = ctx();
    const url = state.gatewayUrl;
    const pool = (state.devnet[name].deployment as unknown as { pool: Address }).pool;
    const { protocol } = await gqlData<{ protocol: { network: string } }>(url, `{ protocol(id: "${name}") { network } }`);
    const fileName = `${protocol.network}_${name}.json`;
    const listing = await getJson<{ tree: { path: string }[] }>(new URL('/bad-debt/latest/', url).href);
    expect(listing.body.tree.map((t) => t.path)).toContain(fileName);
    const latest = await riskDaoFileChecks(url, name, `/bad-debt/latest/${fileName}`, chain, pool);
    expect(latest.block).toBe(Number(await chain.getBlockNumber()));
    expect(latest.file.users.length).toBeGreaterThan(0);

    // The UTC day of the scenario's crash; its last block found here by walking the chain's headers.
    const crashBlock = Number(state.devnet[name].scenario.checkpoints.find((c) => c.name === 'after-crash')!.block);
    const crashTime = new Date(Number((await chain.getBlock({ blockNumber: BigInt(crashBlock) })).timestamp) * 1000);
    const endOfDay = Date.UTC(crashTime.getUTCFullYear(), crashTime.getUTCMonth(), crashTime.getUTCDate() + 1) / 1000 - 1;
    let last = crashBlock;
    while (Number((await chain.getBlock({ blockNumber: BigInt(last + 1) })).timestamp) <= endOfDay) last++;
    const day = `${crashTime.getUTCDate()}.${crashTime.getUTCMonth() + 1}.${crashTime.getUTCFullYear()}`;
    const dated = await riskDaoFileChecks(url, name, `/bad-debt/${day}/${fileName}`, chain, pool);
    expect(dated.block).toBe(last);
    // A day the chain has not finished yet has no file; a path that is no day is refused with a code.
    const future = await getJson<{ tree: unknown[] }>(new URL('/bad-debt/1.1.2100/', url).href);
    expect(future.body.tree).toEqual([]);
    const junk = await getJson<{ errors: { extensions: { code: string } }[] }>(new URL('/bad-debt/31.2.2027/', url).href);
    expect([junk.status, junk.body.errors[0].extensions.code]).toEqual([404, 'NOT_FOUND']);
  }, 120_000);
}
