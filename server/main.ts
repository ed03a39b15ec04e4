/**
 * `npm run gateway -- --subgraph aave-v3=http://host:8000/subgraphs/name/x [--rpc URL] [--port 4000]`
 * Every flag has an environment variable (GATEWAY_SUBGRAPHS as comma-separated name=url pairs,
 * GATEWAY_RPC_URL, GATEWAY_PORT, GATEWAY_HOST, GATEWAY_SUBGRAPH_TIMEOUT_MS, GATEWAY_FOLLOW_INTERVAL_MS:
 * how often head views are moved to the indexed head, 0 = only on request, default 2000;
 * GATEWAY_MAX_FOLLOWED_POSITIONS: positions the view service may hold, default 2,000,000).
 */
import { createGateway } from './app';
import type { EndpointConfig } from './context';

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

async function main() {
  const argv = process.argv.slice(2);
  const specs: string[] = (process.env.GATEWAY_SUBGRAPHS ?? '').split(',').filter(Boolean);
  let rpcUrl = process.env.GATEWAY_RPC_URL || undefined;
  let port = Number(process.env.GATEWAY_PORT ?? 4000);
  let host = process.env.GATEWAY_HOST ?? '127.0.0.1';
  const timeout = Number(process.env.GATEWAY_SUBGRAPH_TIMEOUT_MS ?? 30_000);
  let followIntervalMs = Number(process.env.GATEWAY_FOLLOW_INTERVAL_MS ?? 2000);
  let maxFollowedPositions = process.env.GATEWAY_MAX_FOLLOWED_POSITIONS ? Number(process.env.GATEWAY_MAX_FOLLOWED_POSITIONS) : undefined;
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split(/=(.*)/s, 2);
    const value = () => inline ?? argv[++i] ?? fail(`${flag} needs a value`);
    if (flag === '--subgraph') specs.push(value());
    else if (flag === '--rpc') rpcUrl = value();
    else if (flag === '--port') port = Number(value());
    else if (flag === '--host') host = value();
    else if (flag === '--follow-interval-ms') followIntervalMs = Number(value());
    else if (flag === '--max-followed-positions') maxFollowedPositions = Number(value());
    else fail(`unknown argument "${argv[i]}"`);
  }
  if (specs.length === 0) fail('no subgraph endpoint: pass --subgraph name=URL or set GATEWAY_SUBGRAPHS');
  if (!Number.isInteger(port) || port < 1 || port > 65535) fail(`port must be 1-65535, got ${port}`);
  if (!Number.isInteger(followIntervalMs) || followIntervalMs < 0) fail(`the follow interval must be a whole number of milliseconds >= 0, got ${followIntervalMs}`);
  if (maxFollowedPositions !== undefined && (!Number.isInteger(maxFollowedPositions) || maxFollowedPositions < 0)) fail(`the followed position budget must be a whole number >= 0, got ${maxFollowedPositions}`);
  const gateway = createGateway({
    endpoints: parseEndpoints(specs),
    rpcUrl,
    subgraphTimeoutMs: timeout,
    followIntervalMs,
    maxFollowedPositions,
    log: (line) => console.log(`gateway: ${line}`),
  });
  const { url, stop } = await gateway.listen(port, host);
  console.log(`gateway: ${url}`);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => void stop().then(() => process.exit(0)));
}

if (require.main === module) void main().catch((err) => fail((err as Error).message));
