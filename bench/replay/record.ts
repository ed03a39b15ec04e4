/**
 * Records what the replay benchmark replays: brings the real devnet stack up (anvil, the Aave V3.0
 * scenario, graph-node), puts a recording proxy in front of graph-node's endpoint and points a
 * gateway without an RPC at it (prices from indexed events), then
 *   cold: the protocol-wide query on a fresh gateway at block L;
 *   head: one block later (L + 1, a block in which a few dozen scenario accounts supply and repay),
 *         the same query: the gateway's view service moves its state forward from L;
 *   warm: the same query again.
 * Every subgraph request and graph-node's answer is kept, with the gateway's answers, and a snapshot
 * of every entity type those requests read (the fields they select or filter on): all rows at L, the
 * rows written in L + 1. Usage:
 *   node --import tsx bench/replay/record.ts [--out FILE] [--changes N] [--proxy-port P] [--gateway-port P] [stack flags]
 * (stack flags as for `npm start`, e.g. --accounts 1000 --protocols aave-v3 --port-anvil 19801 ...).
 */
import http from 'node:http';
import { maxUint256, type Address, type PrivateKeyAccount } from 'viem';
import { deriveAccount, devnetClients } from '../../devnet/chain/anvil';
import { TxSender } from '../../devnet/chain/txs';
import { mintableErc20Abi, poolAbi } from '../../devnet/aave-v3/contracts';
import type { AaveV3Deployment } from '../../devnet/aave-v3/deploy';
import { GAS, type ScenarioResult } from '../../devnet/scenario/aave-v3';
import { createGateway } from '../../server/app';
import { createSubgraphClient } from '../../server/sources/subgraph-client';
import { startBenchStack } from '../bench-stack';
import { mergeSelections, parseReads, selectionText } from './dialect';
import { loadEntityTypes, typeOfQueryField, type EntityType } from './entities';
import { askGateway, PROTOCOL_WIDE_QUERY, STATUS_QUERY, waitIndexed } from './gateway-client';
import { DEFAULT_RECORDING, writeRecording, type BlockSnapshot, type Exchange, type Phase, type Recording, type Row } from './recording';

const OWN_FLAGS = ['out', 'changes', 'proxy-port', 'gateway-port'] as const;

function splitArgs(argv: string[]): { own: Partial<Record<(typeof OWN_FLAGS)[number], string>>; rest: string[] } {
  const own: Record<string, string> = {};
  const rest: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const m = /^--([a-z-]+)(?:=(.*))?$/.exec(argv[i]);
    if (m && (OWN_FLAGS as readonly string[]).includes(m[1])) own[m[1]] = m[2] ?? argv[++i];
    else rest.push(argv[i]);
  }
  return { own, rest };
}

/** A proxy in front of graph-node's endpoint that keeps every request and answer, tagged with the current phase. */
async function startRecordingProxy(target: string, port: number) {
  const exchanges: Exchange[] = [];
  const state = { phase: null as Phase | null };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      try {
        const body = Buffer.concat(chunks).toString('utf8');
        const upstream = await fetch(target, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
        const text = await upstream.text();
        if (!state.phase) throw new Error(`a subgraph request outside a recorded phase: ${body.slice(0, 200)}`);
        exchanges.push({ phase: state.phase, request: JSON.parse(body), status: upstream.status, response: JSON.parse(text) });
        res.writeHead(upstream.status, { 'content-type': 'application/json' }).end(text);
      } catch (err) {
        console.error(`[record] proxy: ${(err as Error).message}`);
        res.writeHead(502).end(JSON.stringify({ errors: [{ message: (err as Error).message }] }));
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  // The bound port: `port` is 0 unless --proxy-port was given.
  const bound = (server.address() as import('node:net').AddressInfo).port;
  return { url: `http://127.0.0.1:${bound}/`, exchanges, state, stop: () => new Promise<void>((r) => server.close(() => r())) };
}

/** Per entity type, the fields the recorded requests select or filter on (references as `{ id }`), and its account. */
export function snapshotSelections(exchanges: Exchange[], types: Map<string, EntityType>): Map<EntityType, string> {
  const trees = new Map<EntityType, Map<string, Map<string, unknown>>>();
  for (const e of exchanges) {
    for (const read of parseReads(e.request.query, e.request.variables)) {
      if (read.field === '_meta') continue;
      const found = typeOfQueryField(types, read.field);
      if (!found) throw new Error(`recorded request reads ${read.field}, which is no entity of the subgraph schema`);
      let tree = trees.get(found.type);
      if (!tree) {
        // The account a row carries, even where the gateway reads it from the id: the replay clones by it.
        const account = found.type.fields.get('account')?.reference ? ([['account', new Map([['id', new Map()]])]] as const) : [];
        trees.set(found.type, (tree = new Map([['id', new Map()], ...account])));
      }
      mergeSelections(tree, read.selection);
      for (const key of Object.keys((read.args.where as Record<string, unknown> | undefined) ?? {})) {
        if (key === '_change_block') continue;
        const field = found.type.fields.get(key) ?? found.type.fields.get(key.replace(/_(not_in|not|gte|gt|lte|lt|in)$/, ''));
        if (!field) throw new Error(`recorded filter ${key} on ${found.type.name} names no field`);
        if (!tree.has(field.name)) tree.set(field.name, field.reference ? new Map([['id', new Map()]]) : new Map());
      }
    }
  }
  return new Map([...trees].map(([type, tree]) => [type, selectionText(tree)]));
}

/** Whether `selection` reads fields of the entity `field` references beyond its id (`market { id }` embeds nothing). */
function embedsFieldsOf(selection: string, field: string): boolean {
  const m = new RegExp(`\\b${field}\\s*\\{`).exec(selection);
  if (!m) return false;
  let depth = 1;
  let i = m.index + m[0].length;
  const start = i;
  for (; i < selection.length && depth > 0; i++) depth += selection[i] === '{' ? 1 : selection[i] === '}' ? -1 : 0;
  return /\b(?!id\b)\w+/.test(selection.slice(start, i - 1));
}

/**
 * Every row of each type at `block`, or (`changedSince`) only those written in blocks >= changedSince.
 * A row embeds the entities it references with their fields (`aaveReserveState { scaledTotalSupply }`),
 * so it counts as changed when one of those was written too.
 */
async function snapshotRows(subgraphUrl: string, selections: Map<EntityType, string>, types: Map<string, EntityType>, block: number, changedSince?: number): Promise<Record<string, Row[]>> {
  const client = createSubgraphClient({ url: subgraphUrl, timeoutMs: 120_000 });
  const out: Record<string, Row[]> = {};
  for (const [type, fields] of selections) {
    if (changedSince === undefined) {
      out[type.name] = await client.queryAll<Row>({ collection: type.plural, fields, block });
      continue;
    }
    const changed = { _change_block: { number_gte: changedSince } };
    const rows = new Map((await client.queryAll<Row>({ collection: type.plural, fields, where: changed, block })).map((r) => [r.id, r]));
    for (const f of type.fields.values()) {
      const target = types.get(f.type);
      if (!f.reference || f.list || f.derived || !target || !embedsFieldsOf(fields, f.name)) continue;
      const ids = (await client.queryAll<{ id: string }>({ collection: target.plural, fields: '', where: changed, block })).map((r) => r.id);
      if (ids.length === 0) continue;
      for (const r of await client.queryAll<Row>({ collection: type.plural, fields, where: { [`${f.name}_in`]: ids }, block })) rows.set(r.id, r);
    }
    out[type.name] = [...rows.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }
  return out;
}

function metaOf(exchanges: Exchange[], phase: Phase): Record<string, unknown> {
  const e = exchanges.find((x) => x.phase === phase && parseReads(x.request.query, x.request.variables).some((r) => r.field === '_meta'));
  if (!e?.response.data) throw new Error(`no _meta request was recorded in phase ${phase}`);
  return e.response.data._meta as Record<string, unknown>;
}

interface HeadUpdatePlan {
  account: PrivateKeyAccount;
  kind: 'supply' | 'repay';
  asset: Address;
  amount: bigint;
}

/** `changes` scenario accounts: a tenth repay part of a debt, the rest supply one whole token of a stablecoin or WETH. */
async function planHeadUpdate(subgraphUrl: string, deployment: AaveV3Deployment, scenario: ScenarioResult, accounts: number, changes: number): Promise<HeadUpdatePlan[]> {
  const keys = Array.from({ length: accounts }, (_, i) => deriveAccount(scenario.seed, i));
  const byAddress = new Map(keys.map((k) => [k.address.toLowerCase(), k]));
  const decimals = new Map(deployment.reserves.map((r) => [r.underlying.toLowerCase(), r.decimals]));
  const client = createSubgraphClient({ url: subgraphUrl });
  const debts = await client.queryAll<{ id: string; account: { id: string }; market: { inputToken: { id: string } } }>({
    collection: 'positions',
    fields: 'account { id } market { inputToken { id } }',
    where: { open: true, scaledVariableDebt_gt: '0' },
  });
  const plan: HeadUpdatePlan[] = [];
  const used = new Set<string>();
  for (const d of debts) {
    const key = byAddress.get(d.account.id.toLowerCase());
    if (!key || used.has(key.address) || plan.length >= Math.ceil(changes / 4)) continue;
    used.add(key.address);
    const asset = d.market.inputToken.id as Address;
    plan.push({ account: key, kind: 'repay', asset, amount: 10n ** BigInt(decimals.get(asset.toLowerCase())!) / 100n });
  }
  const supplied = deployment.reserves.filter((r) => ['USDC', 'DAI', 'WETH'].includes(r.symbol));
  const step = Math.max(1, Math.floor(accounts / changes));
  for (let i = 0; plan.length < changes && i < accounts; i += step) {
    const key = keys[i];
    if (used.has(key.address)) continue;
    used.add(key.address);
    const r = supplied[plan.length % supplied.length];
    plan.push({ account: key, kind: 'supply', asset: r.underlying, amount: 10n ** BigInt(r.decimals) });
  }
  return plan;
}

async function main() {
  const { own, rest } = splitArgs(process.argv.slice(2));
  const out = own.out ?? DEFAULT_RECORDING;
  const changes = Number(own.changes ?? 40);
  const log = (line: string) => console.error(`[record] ${line}`);
  // A signal while the stack starts: exit, and bench-stack's exit hook kills what it started.
  let shutdown = () => Promise.resolve();
  process.on('SIGINT', () => void shutdown().then(() => process.exit(130)));
  process.on('SIGTERM', () => void shutdown().then(() => process.exit(143)));
  const { stack, accounts, seed, stop } = await startBenchStack('wt-replay-record', { argv: rest });
  let stopping: Promise<void> | undefined;
  shutdown = () => (stopping ??= stop());
  try {
    const name = 'aave-v3';
    const subgraphUrl = stack.subgraphs[name];
    const run = stack.devnet[name] as { deployment: AaveV3Deployment; scenario: ScenarioResult } | undefined;
    if (!subgraphUrl || !run) throw new Error(`the stack has no ${name} subgraph (run with --protocols ${name})`);
    const proxy = await startRecordingProxy(subgraphUrl, Number(own['proxy-port'] ?? 0));
    // No rpcUrl: prices come from the indexed events (INDEXED_EVENTS), so the replay needs no chain.
    const gateway = await createGateway({ endpoints: [{ name, url: proxy.url }], log }).listen(Number(own['gateway-port'] ?? 0));
    try {
      const clients = devnetClients(stack.rpcUrl);
      const d = run.deployment;
      const plan = await planHeadUpdate(subgraphUrl, d, run.scenario, accounts, changes);
      log(`head update: ${plan.filter((p) => p.kind === 'supply').length} supplies, ${plan.filter((p) => p.kind === 'repay').length} repays`);
      await clients.testClient.setAutomine(false);
      const tx = new TxSender(clients, true);
      await tx.prime(plan.map((p) => p.account));
      for (const p of plan) {
        await tx.write(p.account, { address: p.asset, abi: mintableErc20Abi, functionName: 'mint', args: [p.amount * 2n], gas: GAS.mint }, 'mint');
        await tx.write(p.account, { address: p.asset, abi: mintableErc20Abi, functionName: 'approve', args: [d.pool, maxUint256], gas: GAS.approve }, 'approve');
      }
      await tx.settle();
      const base = Number(await clients.publicClient.getBlockNumber());
      await waitIndexed(subgraphUrl, base);

      proxy.state.phase = 'cold';
      const cold = await askGateway(gateway.url, PROTOCOL_WIDE_QUERY);
      log(`cold at block ${base}: ${cold.subgraphRequests} subgraph requests, ${cold.ms.toFixed(0)} ms`);
      proxy.state.phase = null;

      for (const p of plan) {
        const args = p.kind === 'supply' ? [p.asset, p.amount, p.account.address, 0] : [p.asset, p.amount, 2n, p.account.address];
        await tx.write(p.account, { address: d.pool, abi: poolAbi, functionName: p.kind, args: args as never, gas: GAS[p.kind] }, p.kind);
      }
      const receipts = await tx.settle();
      const blocks = new Set(receipts.map((r) => Number(r.blockNumber)));
      if (blocks.size !== 1 || !blocks.has(base + 1)) throw new Error(`the head update landed in blocks ${[...blocks].join(', ')}, not in block ${base + 1} alone`);
      await waitIndexed(subgraphUrl, base + 1);

      proxy.state.phase = 'head';
      const head = await askGateway(gateway.url, PROTOCOL_WIDE_QUERY);
      log(`head update at block ${base + 1}: ${head.subgraphRequests} subgraph requests, ${head.ms.toFixed(0)} ms`);
      proxy.state.phase = 'warm';
      const warm = await askGateway(gateway.url, PROTOCOL_WIDE_QUERY);
      proxy.state.phase = null;
      const status = await askGateway(gateway.url, STATUS_QUERY);
      log(`gateway status: ${JSON.stringify(status.data)}`);
      // Read back in time (block: { number }) once every phase has shown which fields are read.
      const types = loadEntityTypes();
      const selections = snapshotSelections(proxy.exchanges, types);
      const baseRows = await snapshotRows(subgraphUrl, selections, types, base);
      const headRows = await snapshotRows(subgraphUrl, selections, types, base + 1, base + 1);

      const baseSnap: BlockSnapshot = { number: base, meta: metaOf(proxy.exchanges, 'cold'), rows: baseRows };
      const headSnap: BlockSnapshot = { number: base + 1, meta: metaOf(proxy.exchanges, 'head'), rows: headRows };
      const changedPositions = headRows.Position ?? [];
      const recording: Recording = {
        format: 'baddebt-replay/1',
        recordedAt: new Date().toISOString(),
        source: { protocol: 'Aave V3.0 (devnet)', accounts, seed, graphNode: '@graphprotocol/gnd-linux-x64 (gnd dev)', pricing: 'INDEXED_EVENTS (gateway without an RPC)' },
        endpoint: name,
        gatewayQuery: PROTOCOL_WIDE_QUERY,
        exchanges: proxy.exchanges,
        gatewayAnswers: {
          cold: { data: cold.data, subgraphRequests: cold.subgraphRequests },
          head: { data: head.data, subgraphRequests: head.subgraphRequests },
          warm: { data: warm.data, subgraphRequests: warm.subgraphRequests },
        },
        headUpdate: { txs: receipts.length, positionsChanged: changedPositions.length, accountsChanged: new Set(changedPositions.map((p) => (p.account as { id: string }).id)).size },
        base: baseSnap,
        head: headSnap,
      };
      writeRecording(out, recording);
      log(`wrote ${out}: ${proxy.exchanges.length} exchanges, ${Object.entries(baseRows).map(([t, r]) => `${r.length} ${t}`).join(', ')}; changed in ${base + 1}: ${Object.entries(headRows).map(([t, r]) => `${r.length} ${t}`).join(', ')}`);
    } finally {
      await gateway.stop();
      await proxy.stop();
    }
  } finally {
    await shutdown();
  }
}

if (require.main === module) {
  main().catch((err) => {
    console.error(err);
    process.exit(1);
  });
}
