/**
 * `npm run gateway -- --subgraph aave-v3=http://host:8000/subgraphs/name/x [--rpc URL] [--port 4000]`
 * Every flag has an environment variable (GATEWAY_SUBGRAPHS as comma-separated name=url pairs,
 * GATEWAY_RPC_URL, GATEWAY_PORT, GATEWAY_HOST, GATEWAY_SUBGRAPH_TIMEOUT_MS, GATEWAY_FOLLOW_INTERVAL_MS:
 * how often head views are moved to the indexed head, 0 = only on request, default 2000;
 * GATEWAY_MAX_FOLLOWED_POSITIONS: positions the view service may hold, default 2,000,000;
 * GATEWAY_WEBHOOKS_FILE / --webhooks FILE: alert webhooks (server/alerts/webhooks.ts); and the
 * request limits of NUMERIC_FLAGS, GATEWAY_INTROSPECTION, GATEWAY_CORS_ORIGINS). The README's gateway
 * table lists them all with their defaults.
 */
import fs from 'node:fs';
import { createGateway, type GatewayOptions } from './app';
import { parseWebhookConfig } from './alerts/webhooks';
import type { EndpointConfig } from './context';
import type { QueryLimits } from './schema/limits';

function fail(message: string): never {
  console.error(`gateway: ${message}`);
  process.exit(2);
}

export function parseEndpoints(specs: string[]): EndpointConfig[] {
  return specs.map((spec) => {
    const eq = spec.indexOf('=');
    const name = eq > 0 ? spec.slice(0, eq) : `subgraph-${specs.indexOf(spec)}`;
    const url = eq > 0 ? spec.slice(eq + 1) : spec;
    try {
      const parsed = new URL(url);
      if (!/^https?:$/.test(parsed.protocol)) throw new Error();
    } catch {
      fail(`subgraph endpoint "${spec}" is not name=http(s)://... `);
    }
    return { name, url };
  });
}

/** Whole-number options: flag, environment variable, where it goes. Absent: the gateway's default. */
const NUMERIC_FLAGS: { flag: string; env: string; set: (o: NumericOptions, v: number) => void }[] = [
  { flag: '--max-body-bytes', env: 'GATEWAY_MAX_BODY_BYTES', set: (o, v) => (o.maxBodyBytes = v) },
  { flag: '--request-timeout-ms', env: 'GATEWAY_REQUEST_TIMEOUT_MS', set: (o, v) => (o.requestTimeoutMs = v) },
  { flag: '--rate-limit', env: 'GATEWAY_RATE_LIMIT', set: (o, v) => (o.rateLimit = { ...o.rateLimit, perSecond: v }) },
  { flag: '--rate-limit-burst', env: 'GATEWAY_RATE_LIMIT_BURST', set: (o, v) => (o.rateLimit = { perSecond: 0, ...o.rateLimit, burst: v }) },
  { flag: '--trusted-proxies', env: 'GATEWAY_TRUSTED_PROXIES', set: (o, v) => (o.rateLimit = { perSecond: 0, ...o.rateLimit, trustedProxies: v }) },
  { flag: '--max-cost', env: 'GATEWAY_MAX_COST', set: (o, v) => (o.limits.maxCost = v) },
  { flag: '--max-depth', env: 'GATEWAY_MAX_DEPTH', set: (o, v) => (o.limits.maxDepth = v) },
  { flag: '--max-tokens', env: 'GATEWAY_MAX_TOKENS', set: (o, v) => (o.limits.maxTokens = v) },
  { flag: '--max-aliases', env: 'GATEWAY_MAX_ALIASES', set: (o, v) => (o.limits.maxAliases = v) },
  { flag: '--max-fields', env: 'GATEWAY_MAX_FIELDS', set: (o, v) => (o.limits.maxFields = v) },
  { flag: '--block-pin-cost', env: 'GATEWAY_BLOCK_PIN_COST', set: (o, v) => (o.limits.blockPinCost = v) },
  { flag: '--ready-max-lag-seconds', env: 'GATEWAY_READY_MAX_LAG_S', set: (o, v) => (o.readyMaxLagSeconds = v) },
];
type NumericOptions = Pick<GatewayOptions, 'maxBodyBytes' | 'requestTimeoutMs' | 'rateLimit' | 'readyMaxLagSeconds'> & { limits: Partial<QueryLimits> };

function wholeNumber(name: string, text: string): number {
  const v = Number(text);
  if (!Number.isSafeInteger(v) || v < 0) fail(`${name} must be a whole number >= 0, got "${text}"`);
  return v;
}

function flagBoolean(name: string, text: string): boolean {
  if (/^(1|true|yes|on)$/i.test(text)) return true;
  if (/^(0|false|no|off)$/i.test(text)) return false;
  return fail(`${name} must be true or false, got "${text}"`);
}

async function main() {
  const argv = process.argv.slice(2);
  const specs: string[] = (process.env.GATEWAY_SUBGRAPHS ?? '').split(',').filter(Boolean);
  let rpcUrl = process.env.GATEWAY_RPC_URL || undefined;
  let port = Number(process.env.GATEWAY_PORT ?? 4000);
  let host = process.env.GATEWAY_HOST ?? '127.0.0.1';
  const timeout = Number(process.env.GATEWAY_SUBGRAPH_TIMEOUT_MS ?? 30_000);
  let followIntervalMs = Number(process.env.GATEWAY_FOLLOW_INTERVAL_MS ?? 2000);
  let maxFollowedPositions = process.env.GATEWAY_MAX_FOLLOWED_POSITIONS ? Number(process.env.GATEWAY_MAX_FOLLOWED_POSITIONS) : undefined;
  const numeric: NumericOptions = { limits: {} };
  for (const n of NUMERIC_FLAGS) if (process.env[n.env]) n.set(numeric, wholeNumber(n.env, process.env[n.env]!));
  let introspection = process.env.GATEWAY_INTROSPECTION ? flagBoolean('GATEWAY_INTROSPECTION', process.env.GATEWAY_INTROSPECTION) : undefined;
  let webhooksFile = process.env.GATEWAY_WEBHOOKS_FILE || undefined;
  const corsOrigins = (process.env.GATEWAY_CORS_ORIGINS ?? '').split(',').map((o) => o.trim()).filter(Boolean);
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split(/=(.*)/s, 2);
    const value = () => inline ?? argv[++i] ?? fail(`${flag} needs a value`);
    const number = NUMERIC_FLAGS.find((n) => n.flag === flag);
    if (number) number.set(numeric, wholeNumber(flag, value()));
    else if (flag === '--introspection') introspection = inline === undefined ? true : flagBoolean(flag, inline);
    else if (flag === '--cors-origin') corsOrigins.push(value());
    else if (flag === '--subgraph') specs.push(value());
    else if (flag === '--rpc') rpcUrl = value();
    else if (flag === '--port') port = Number(value());
    else if (flag === '--host') host = value();
    else if (flag === '--follow-interval-ms') followIntervalMs = Number(value());
    else if (flag === '--max-followed-positions') maxFollowedPositions = Number(value());
    else if (flag === '--webhooks') webhooksFile = value();
    else fail(`unknown argument "${argv[i]}"`);
  }
  if (specs.length === 0) fail('no subgraph endpoint: pass --subgraph name=URL or set GATEWAY_SUBGRAPHS');
  if (!Number.isInteger(port) || port < 1 || port > 65535) fail(`port must be 1-65535, got ${port}`);
  if (!Number.isInteger(followIntervalMs) || followIntervalMs < 0) fail(`the follow interval must be a whole number of milliseconds >= 0, got ${followIntervalMs}`);
  if (maxFollowedPositions !== undefined && (!Number.isInteger(maxFollowedPositions) || maxFollowedPositions < 0)) fail(`the followed position budget must be a whole number >= 0, got ${maxFollowedPositions}`);
  let webhooks;
  try {
    webhooks = webhooksFile ? parseWebhookConfig(fs.readFileSync(webhooksFile, 'utf8'), process.env) : undefined;
  } catch (err) {
    fail(`${webhooksFile}: ${(err as Error).message}`);
  }
  if (webhooks && followIntervalMs === 0) fail('webhooks need the follow loop: --follow-interval-ms above 0');
  const gateway = createGateway({
    endpoints: parseEndpoints(specs),
    rpcUrl,
    subgraphTimeoutMs: timeout,
    followIntervalMs,
    maxFollowedPositions,
    webhooks,
    ...numeric,
    introspection,
    corsOrigins,
    log: (line) => console.log(`gateway: ${line}`),
  });
  const { url, stop } = await gateway.listen(port, host);
  console.log(`gateway: ${url}`);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => void stop().then(() => process.exit(0)));
}

if (require.main === module) void main().catch((err) => fail((err as Error).message));
