import path from 'node:path';
import { StackError } from '../stack/errors';
import { DEFAULT_PORTS, type StackPorts } from '../stack/ports';
import { DEVNET_PROTOCOLS, type DevnetProtocol } from '../protocols';

/** One command-line flag, with the environment variable that can set it too. */
export interface FlagSpec {
  flag: string;
  env: string;
  help: string;
  kind: 'string' | 'port' | 'int' | 'boolean';
}

export const FLAGS: FlagSpec[] = [
  { flag: 'rpc', env: 'STACK_RPC_URL', kind: 'string', help: 'index this Ethereum JSON-RPC instead of the devnet (no deployment, no scenario)' },
  { flag: 'network', env: 'STACK_NETWORK', kind: 'string', help: 'network name in the manifests and graph-node (default devnet, or mainnet with --rpc)' },
  { flag: 'postgres', env: 'STACK_POSTGRES_URL', kind: 'string', help: 'use this Postgres server (postgresql://user:pass@host:port/db) instead of the embedded one' },
  { flag: 'postgres-dir', env: 'STACK_POSTGRES_DIR', kind: 'string', help: 'data directory of the embedded Postgres (default <work-dir>/postgres)' },
  { flag: 'work-dir', env: 'STACK_WORK_DIR', kind: 'string', help: 'logs, builds and state (default .stack)' },
  { flag: 'state-file', env: 'STACK_STATE_FILE', kind: 'string', help: 'write URLs, deployment and checkpoints here as JSON once indexed (default <work-dir>/state.json)' },
  { flag: 'seed', env: 'STACK_SEED', kind: 'string', help: 'scenario seed (default "baddebt")' },
  { flag: 'protocols', env: 'STACK_PROTOCOLS', kind: 'string', help: `devnet protocols to deploy, comma-separated (default all: ${DEVNET_PROTOCOLS.map((p) => p.name).join(',')})` },
  { flag: 'accounts', env: 'STACK_ACCOUNTS', kind: 'int', help: 'scenario accounts (default 50)' },
  { flag: 'sync-timeout', env: 'STACK_SYNC_TIMEOUT_S', kind: 'int', help: 'seconds indexing may take before giving up (default 1800)' },
  { flag: 'port-anvil', env: 'STACK_PORT_ANVIL', kind: 'port', help: `anvil JSON-RPC (default ${DEFAULT_PORTS.anvil})` },
  { flag: 'port-postgres', env: 'STACK_PORT_POSTGRES', kind: 'port', help: `embedded Postgres (default ${DEFAULT_PORTS.postgres})` },
  { flag: 'port-ipfs', env: 'STACK_PORT_IPFS', kind: 'port', help: `IPFS stub (default ${DEFAULT_PORTS.ipfs})` },
  { flag: 'port-graphql', env: 'STACK_PORT_GRAPHQL', kind: 'port', help: `graph-node GraphQL queries (default ${DEFAULT_PORTS.http})` },
  { flag: 'port-admin', env: 'STACK_PORT_ADMIN', kind: 'port', help: `graph-node admin JSON-RPC (default ${DEFAULT_PORTS.admin})` },
  { flag: 'port-index-node', env: 'STACK_PORT_INDEX_NODE', kind: 'port', help: `graph-node indexing status (default ${DEFAULT_PORTS.indexNode})` },
  { flag: 'port-metrics', env: 'STACK_PORT_METRICS', kind: 'port', help: `graph-node Prometheus metrics (default ${DEFAULT_PORTS.metrics})` },
  { flag: 'port-gateway', env: 'STACK_PORT_GATEWAY', kind: 'port', help: `the GraphQL gateway (default ${DEFAULT_PORTS.gateway})` },
  { flag: 'exit-when-synced', env: 'STACK_EXIT_WHEN_SYNCED', kind: 'boolean', help: 'stop everything once indexed (benchmarks, CI)' },
  { flag: 'stop-on-stdin-close', env: 'STACK_STOP_ON_STDIN_CLOSE', kind: 'boolean', help: 'stop when standard input closes (a parent test process died)' },
  { flag: 'help', env: 'STACK_HELP', kind: 'boolean', help: 'print this help' },
];

export type ParsedFlags = Record<string, string | number | boolean | undefined>;

/**
 * Flags win over environment variables; anything unknown or malformed is a BAD_CONFIG error. `extra`:
 * flags of one command on top of the stack's (a benchmark's own options).
 */
export function parseFlags(argv: string[], env: NodeJS.ProcessEnv, extra: FlagSpec[] = []): ParsedFlags {
  const specs = [...FLAGS, ...extra];
  const out: ParsedFlags = {};
  for (const spec of specs) {
    if (env[spec.env] !== undefined && env[spec.env] !== '') out[spec.flag] = convert(spec, env[spec.env]!, `$${spec.env}`);
  }
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const match = /^--([a-z-]+)(?:=(.*))?$/.exec(arg);
    const spec = match && specs.find((f) => f.flag === match[1]);
    if (!match || !spec) throw new StackError('BAD_CONFIG', `unknown argument "${arg}" (see --help)`);
    if (spec.kind === 'boolean') {
      out[spec.flag] = match[2] === undefined ? true : convert(spec, match[2], arg);
      continue;
    }
    const value = match[2] ?? argv[++i];
    if (value === undefined) throw new StackError('BAD_CONFIG', `--${spec.flag} needs a value`);
    out[spec.flag] = convert(spec, value, `--${spec.flag}`);
  }
  return out;
}

function convert(spec: FlagSpec, raw: string, where: string): string | number | boolean {
  switch (spec.kind) {
    case 'string':
      return raw;
    case 'boolean':
      if (/^(1|true|yes)$/i.test(raw)) return true;
      if (/^(0|false|no)$/i.test(raw)) return false;
      throw new StackError('BAD_CONFIG', `${where} must be true or false, got "${raw}"`);
    case 'int':
    case 'port': {
      const n = Number(raw);
      const max = spec.kind === 'port' ? 65535 : Number.MAX_SAFE_INTEGER;
      if (!/^\d+$/.test(raw) || n < 1 || n > max) {
        throw new StackError('BAD_CONFIG', `${where} must be ${spec.kind === 'port' ? 'a port (1-65535)' : 'a positive integer'}, got "${raw}"`);
      }
      return n;
    }
  }
}

export function portsFrom(flags: ParsedFlags): StackPorts {
  const pick = (flag: string, fallback: number) => (flags[flag] as number | undefined) ?? fallback;
  return {
    anvil: pick('port-anvil', DEFAULT_PORTS.anvil),
    postgres: pick('port-postgres', DEFAULT_PORTS.postgres),
    ipfs: pick('port-ipfs', DEFAULT_PORTS.ipfs),
    http: pick('port-graphql', DEFAULT_PORTS.http),
    admin: pick('port-admin', DEFAULT_PORTS.admin),
    indexNode: pick('port-index-node', DEFAULT_PORTS.indexNode),
    metrics: pick('port-metrics', DEFAULT_PORTS.metrics),
    gateway: pick('port-gateway', DEFAULT_PORTS.gateway),
  };
}

export function helpText(extra: FlagSpec[] = [], usage = 'npm start -- [options]'): string {
  const rows = [...FLAGS, ...extra].map((f) => `  --${f.flag}${f.kind === 'boolean' ? '' : ' <value>'}`.padEnd(30) + `${f.help} [$${f.env}]`);
  return [`Usage: ${usage}`, '', ...rows].join('\n');
}

export const repoRoot = path.resolve(__dirname, '..', '..');

/** The devnet protocols a --protocols list names (all by default); unknown names are a BAD_CONFIG error. */
export function protocolsFrom(flags: ParsedFlags): DevnetProtocol<any, any>[] {
  const list = flags.protocols as string | undefined;
  if (!list) return DEVNET_PROTOCOLS;
  return list.split(',').map((name) => {
    const found = DEVNET_PROTOCOLS.find((p) => p.name === name.trim());
    if (!found) throw new StackError('BAD_CONFIG', `unknown protocol "${name}" in --protocols; known: ${DEVNET_PROTOCOLS.map((p) => p.name).join(', ')}`);
    return found;
  });
}

/**
 * What --rpc mode deploys, with networks.json's addresses: one deployment per Aave V3 instance
 * (Core under the plain network key, the others under `<network>:<instance>`) and Morpho Blue.
 */
export const MAINNET_SUBGRAPHS: { name: string; manifest: string; instance?: string }[] = [
  { name: 'aave-v3', manifest: path.join(repoRoot, 'subgraph', 'aave-v3.yaml') },
  ...['prime', 'etherfi', 'horizon'].map((instance) => ({ name: `aave-v3-${instance}`, manifest: path.join(repoRoot, 'subgraph', 'aave-v3.yaml'), instance })),
  { name: 'morpho-blue', manifest: path.join(repoRoot, 'subgraph', 'morpho-blue.yaml') },
];
