import { createWalletClient, encodeFunctionData, http, maxUint256, parseAbi, type Address, type PublicClient, type TestClient } from 'viem';
import { createGateway } from '../../server/app';
import { freePort } from '../../devnet/stack/ports';
import { gqlData } from '../support/gateway-client';
import type { StackState } from '../support/stack-process';
import { familyNamed } from '../../server/families';
import { devnetProtocol } from '../../devnet/protocols';
import { createRequestContext } from '../../server/context';
import { createSubgraphClient } from '../../server/sources/subgraph-client';
import { fetchIndexingState } from '../../server/sources/blocks';
import { createViewService, type ViewServiceEvent } from '../../server/view-service';
import type { ProtocolView } from '../../server/views/model';

export interface ViewServiceCtx {
  rpcUrl: string;
  subgraphs: Record<string, string>;
}

interface SuiteCtx {
  state: StackState;
  chain: PublicClient;
  testClient: TestClient;
}

const POOL_ABI = parseAbi([
  'function supply(address asset, uint256 amount, address onBehalfOf, uint16 referralCode)',
  'function withdraw(address asset, uint256 amount, address to) returns (uint256)',
]);
const ERC20_ABI = parseAbi(['function balanceOf(address) view returns (uint256)']);

/** Everything the dashboard and bots read at the head, in one query (compared between gateways). */
export const HEAD_FIGURES = (name: string, block: number) => `{
  protocol(id: "${name}", block: ${block}) {
    block { number hash } latentBadDebtUSD solvencyRatio equityUSD insolventAccounts liquidatableAccounts accountCount borrowerCount
    markets { id totalSuppliedUSD totalBorrowedUSD latentBadDebtUSD utilization borrowerCount }
  }
  accounts(protocol: "${name}", orderBy: COLLATERAL_USD_DESC, first: 500, block: ${block}) { totalCount items { address collateralUSD debtUSD healthFactor positions { market supplied borrowed } } }
}`;

export async function until<T>(what: string, probe: () => Promise<T | null | undefined | false>, timeoutMs = 90_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => null);
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

type Status = { gatewayStatus: { followedViews: { endpoint: string; block: { number: number; hash: string }; reorgs: number; followed: boolean }[] } };
export const followedAt = async (gatewayUrl: string, endpoint: string) =>
  (await gqlData<Status>(gatewayUrl, '{ gatewayStatus { followedViews { endpoint block { number hash } reorgs followed } } }')).gatewayStatus.followedViews.find((v) => v.endpoint === endpoint);

/**
 * The stack's gateway follows the head (its view service moves each protocol's view block to block).
 * A reorg made on anvil (snapshot, one block, revert, three other blocks) must leave no stale figure:
 * the followed view at the new head equals a fresh gateway's, and the reorg is seen and counted. On
 * the new branch a supplier withdraws everything (a position closes) and supplies again (it reopens).
 */
export function viewServiceSuite(ctx: () => SuiteCtx, name: string) {
  it('after a reorg the followed head view equals a fresh gateway, and positions that close and reopen are followed', async () => {
    const { state, chain, testClient } = ctx();
    const d = state.devnet[name].deployment;
    const subgraph = createSubgraphClient({ url: state.subgraphs[name] });
    // A supplier without debt, holding some of a reserve's underlying in its wallet.
    const positions = await subgraph.queryAll<{ id: string; account: { id: string }; market: { inputToken: { id: string } }; scaledVariableDebt: string; scaledSupplyBalance: string }>({
      collection: 'positions',
      fields: 'account { id } market { inputToken { id } } scaledVariableDebt scaledSupplyBalance',
      where: { open: true },
    });
    const debtors = new Set(positions.filter((p) => p.scaledVariableDebt !== '0').map((p) => p.account.id));
    let pick: { account: Address; asset: Address; wallet: bigint } | null = null;
    for (const p of positions.filter((x) => !debtors.has(x.account.id) && x.scaledSupplyBalance !== '0')) {
      const wallet = await chain.readContract({ address: p.market.inputToken.id as Address, abi: ERC20_ABI, functionName: 'balanceOf', args: [p.account.id as Address] });
      if (wallet > 1000n) {
        pick = { account: p.account.id as Address, asset: p.market.inputToken.id as Address, wallet };
        break;
      }
    }
    expect(pick).not.toBeNull();
    const { account, asset, wallet } = pick!;
    await testClient.impersonateAccount({ address: account });
    await testClient.setBalance({ address: account, value: 10n ** 20n });
    const signer = createWalletClient({ account, transport: http(state.rpcUrl) });
    const send = async (functionName: 'supply' | 'withdraw', args: readonly unknown[]) => {
      const data = encodeFunctionData({ abi: POOL_ABI, functionName, args: args as never });
      const hash = await signer.sendTransaction({ to: d.pool, data, gas: 600_000n, chain: null });
      const receipt = await chain.waitForTransactionReceipt({ hash });
      expect(receipt.status).toBe('success');
      return Number(receipt.blockNumber);
    };
    const headOf = async () => (await chain.getBlock()).number;

    const h0 = Number(await headOf());
    await until('the gateway to follow the head', async () => (await followedAt(state.gatewayUrl, name))?.block.number === h0);
    const snapshot = await testClient.snapshot();
    // Branch A: one block where the supplier leaves the market.
    const a1 = await send('withdraw', [asset, maxUint256, account]);
    const branchA = await until('the gateway to follow branch A', async () => {
      const f = await followedAt(state.gatewayUrl, name);
      return f?.block.number === a1 && f;
    });
    await testClient.revert({ id: snapshot });
    // Branch B: three other blocks: supply more, withdraw everything (closed), supply again (reopened).
    const b1 = await send('supply', [asset, wallet / 4n, account, 0]);
    await send('withdraw', [asset, maxUint256, account]);
    const b3 = await send('supply', [asset, wallet / 8n, account, 0]);
    expect(b1).toBe(a1);
    const headB = await chain.getBlock({ blockNumber: BigInt(b3) });
    const followed = await until('the gateway to follow branch B', async () => {
      const f = await followedAt(state.gatewayUrl, name);
      return f?.block.hash === headB.hash && f;
    });
    expect(followed.reorgs).toBeGreaterThan(branchA.reorgs);

    const fresh = createGateway({ endpoints: Object.entries(state.subgraphs).map(([n, url]) => ({ name: n, url })), rpcUrl: state.rpcUrl });
    const listening = await fresh.listen(await freePort());
    try {
      for (const block of [b3, b1]) {
        const [ours, theirs] = await Promise.all([gqlData(state.gatewayUrl, HEAD_FIGURES(name, block)), gqlData(listening.url, HEAD_FIGURES(name, block))]);
        expect({ block, figures: ours }).toEqual({ block, figures: theirs });
      }
      // At branch B's first block the supplier is still in the market (branch A's withdrawal is gone).
      const atB1 = await gqlData<{ account: { positions: { market: string }[] } }>(state.gatewayUrl, `{ account(protocol: "${name}", address: "${account}", block: ${b1}) { positions { market } } }`);
      expect(atB1.account.positions.length).toBeGreaterThan(0);
    } finally {
      await listening.stop();
      await testClient.stopImpersonatingAccount({ address: account });
    }
  }, 240_000);

  it('the view moved forward block by block equals a view computed from scratch at every block, for every protocol', async () => {
    const { state } = ctx();
    const results: Record<string, { compared: number; mismatches: number[]; closed: number; reopened: number; kinds: Record<string, number> }> = {};
    const unservedNames: string[] = [];
    // Side by side: graph-node answers the four subgraphs concurrently.
    await Promise.all(
      Object.keys(state.subgraphs).map(async (n) => {
        const r = await walkEveryBlock(state, n, Number(state.devnet[n].deployment.startBlock));
        const kinds: Record<string, number> = {};
        for (const e of r.events) kinds[e.kind] = (kinds[e.kind] ?? 0) + 1;
        if (r.unserved.length > 0 && r.compared === 0) unservedNames.push(n);
        else results[n] = { compared: r.compared, mismatches: r.mismatches, closed: r.closed, reopened: r.reopened, kinds };
      }),
    );
    // Exactly the protocols whose family has no module in the gateway's registry are left unwalked.
    const unregistered = Object.keys(state.subgraphs).filter((n) => !familyNamed(devnetProtocol(n)!.family));
    expect(unservedNames.sort()).toEqual(unregistered.sort());
    for (const [n, r] of Object.entries(results)) {
      expect({ n, mismatches: r.mismatches }).toEqual({ n, mismatches: [] });
      // Loaded once, then only moved forward (no rebuild on the walk).
      expect({ n, kinds: r.kinds }).toEqual({ n, kinds: { load: 1, advance: r.compared - 1 } });
      expect(r.compared).toBeGreaterThan(20);
      expect(r.closed).toBeGreaterThan(0);
    }
    // The reorg test's branch closed and reopened a position.
    expect(results[name].reopened).toBeGreaterThan(0);
  }, 600_000);
}

/** A view with its accounts in address order (a followed book and a fresh read list them in arrival order). */
export function canonicalView(v: ProtocolView) {
  const byAddress = <T extends { address: string }>(list: T[]) => [...list].sort((a, b) => a.address.localeCompare(b.address));
  return { ...v, accounts: byAddress(v.accounts), borrowers: byAddress(v.borrowers), borrowerTotals: byAddress(v.borrowerTotals), markets: v.markets.map((m) => ({ ...m, borrowers: byAddress(m.borrowers) })) };
}

/**
 * Walks every block of a subgraph from its protocol's first block to the head, moving one followed
 * view forward block by block, and compares it with a view computed from scratch at each block.
 * Returns what it saw: blocks compared, mismatching blocks, the service's events, and positions that
 * closed and reopened on the way.
 */
export async function walkEveryBlock(ctx: ViewServiceCtx, name: string, fromBlock: number) {
  const { deps } = createGateway({ endpoints: [{ name, url: ctx.subgraphs[name] }], rpcUrl: ctx.rpcUrl });
  const events: ViewServiceEvent[] = [];
  const service = createViewService({ canonical: (b) => deps.headers!.header(b.number).then((h) => (h ? h.hash === b.hash : null)), onEvent: (e) => events.push(e) });
  // Reads pinned by hash, as the gateway's are (graph-node's query cache can answer an orphaned block by number).
  const hashes = new Map<number, string>();
  const unknown = new Set<string>();
  const client = createSubgraphClient({
    url: ctx.subgraphs[name],
    hashOf: (n) => (unknown.has(hashes.get(n) ?? '') ? undefined : hashes.get(n)),
    onUnknownHash: (h) => unknown.add(h),
  });
  const indexing = await fetchIndexingState(client);
  const rc = createRequestContext(deps);
  const { protocols } = await rc.protocolsAt(name, null);
  const mismatches: number[] = [];
  let compared = 0;
  const seen = new Map<string, boolean[]>();
  const unserved: string[] = [];
  for (const p of protocols) {
    const adapter = deps.adapters.find((a) => a.families.includes(p.family));
    // A family the gateway has no adapter for yet (Gearbox V3: indexed, not served) has no view to follow.
    if (!adapter) {
      unserved.push(p.family);
      continue;
    }
    const handle = { endpoint: name, protocolId: p.id, family: p.family };
    for (let b = fromBlock; b <= indexing.head.number; b++) {
      // A fresh request context per block, as requests have: nothing carries over but the service's state.
      const header = (await deps.headers!.header(b))!;
      hashes.set(b, header.hash!);
      const input = createRequestContext(deps).inputAt(handle, client, header, indexing);
      const [followed, fresh] = [await service.viewAt(handle, adapter.follow!, input), await adapter.protocolView(input)];
      if (!fresh) {
        expect(followed).toBeNull();
        continue;
      }
      compared++;
      if (!followed || !isEqualView(canonicalView(followed), canonicalView(fresh))) mismatches.push(b);
      const open = new Set(fresh.accounts.flatMap((a) => a.positions.map((x) => `${a.address}|${x.marketId}`)));
      for (const k of open) if (!seen.has(k)) seen.set(k, []);
      for (const [k, history] of seen) if (history[history.length - 1] !== open.has(k)) history.push(open.has(k));
    }
  }
  // open -> closed -> open again
  const reopened = [...seen.values()].filter((h) => h.length >= 3).length;
  const closed = [...seen.values()].filter((h) => h.length >= 2).length;
  return { compared, mismatches, events, closed, reopened, unserved };
}

function isEqualView(a: unknown, b: unknown): boolean {
  try {
    expect(a).toEqual(b);
    return true;
  } catch {
    return false;
  }
}
