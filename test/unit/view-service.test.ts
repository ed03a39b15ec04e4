import { idRanges } from '../../server/sources/subgraph-client';
import { splitPositionId } from '../../server/sources/ids';
import { AccountBook } from '../../server/views/account-book';
import type { AdapterInput, Follower } from '../../server/views/adapter';
import type { BlockRef } from '../../server/sources/blocks';
import type { ProtocolView } from '../../server/views/model';
import { createViewService, type ViewServiceEvent } from '../../server/view-service';
import { ViewCache } from '../../server/context';

type P = { marketId: string; amount: number };
const book = () => new AccountBook<P, { address: string; positions: P[] }>((address) => ({ address, positions: [] }));

describe('AccountBook', () => {
  it('keeps positions ordered by market whatever the arrival order, replaces in place, and drops emptied accounts', () => {
    const b = book();
    b.apply([
      { address: '0xa', marketId: '0x03', position: { marketId: '0x03', amount: 3 } },
      { address: '0xa', marketId: '0x01', position: { marketId: '0x01', amount: 1 } },
      { address: '0xa', marketId: '0x02', position: { marketId: '0x02', amount: 2 } },
      { address: '0xb', marketId: '0x01', position: { marketId: '0x01', amount: 9 } },
    ]);
    expect(b.get('0xa')!.positions.map((p) => p.marketId)).toEqual(['0x01', '0x02', '0x03']);
    expect(b.size).toEqual({ accounts: 2, positions: 4 });
    b.set('0xa', '0x02', { marketId: '0x02', amount: 20 });
    expect(b.get('0xa')!.positions.map((p) => p.amount)).toEqual([1, 20, 3]);
    expect(b.size.positions).toBe(4);
    b.set('0xb', '0x01', null);
    expect(b.get('0xb')).toBeUndefined();
    expect(b.size).toEqual({ accounts: 1, positions: 3 });
    // closing what is not there changes nothing
    b.set('0xc', '0x01', null);
    b.set('0xa', '0x09', null);
    expect(b.size).toEqual({ accounts: 1, positions: 3 });
    expect(b.all().map((a) => a.address)).toEqual(['0xa']);
  });
});

describe('id ranges', () => {
  it('cover every id under the prefix exactly once, split on the next byte', () => {
    const prefix = '0xabcd';
    for (const parts of [1, 2, 3, 16, 300]) {
      const ranges = idRanges(prefix, parts);
      const n = Math.min(256, 2 ** Math.ceil(Math.log2(parts)));
      expect(ranges).toHaveLength(n);
      for (const byte of [0x00, 0x0f, 0x10, 0x7f, 0x80, 0xff]) {
        const id = `${prefix}${byte.toString(16).padStart(2, '0')}1234`;
        const hits = ranges.filter((r) => (r.gte === undefined || id >= r.gte) && (r.lt === undefined || id < r.lt));
        expect(hits).toHaveLength(1);
      }
    }
    expect(idRanges(prefix, 2)).toEqual([{ lt: '0xabcd80' }, { gte: '0xabcd80' }]);
  });

  it('a position id splits into its market and account', () => {
    const market = '0x' + '11'.repeat(40);
    expect(splitPositionId(`${market}${'AB'.repeat(20)}`)).toEqual({ marketId: market, account: `0x${'ab'.repeat(20)}` });
  });
});

/**
 * A follower over a scripted chain: `rows[b]` are the balances at block b; advance reads the blocks
 * after `since` only (as `_change_block` does), load reads block b whole.
 */
function scriptedFollower(chain: Map<number, Map<string, number>>) {
  const calls: string[] = [];
  type S = { size: { accounts: number; positions: number }; values: Map<string, number> };
  const follower: Follower<S> = {
    async load(i) {
      calls.push(`load ${i.block.number}`);
      const values = new Map(chain.get(i.block.number));
      return { values, get size() { return { accounts: values.size, positions: values.size }; } };
    },
    async advance(state, i, since) {
      calls.push(`advance ${since}->${i.block.number}`);
      if (i.block.number === 99) throw new Error('subgraph down');
      for (const [k, v] of chain.get(i.block.number)!) if (state.values.get(k) !== v) state.values.set(k, v);
    },
    async view(state, i) {
      return { block: i.block, accounts: [...state.values].map(([address, v]) => ({ address, debtBase: BigInt(v) })) } as unknown as ProtocolView;
    },
  };
  return { follower, calls };
}

const input = (block: BlockRef) => ({ block }) as AdapterInput;
const key = { endpoint: 'e', protocolId: 'p' };
const blk = (number: number, fork = 'a', parentFork = fork): BlockRef => ({ number, hash: `0x${fork}${number}`, timestamp: number * 12, parentHash: `0x${parentFork}${number - 1}` });

describe('view service', () => {
  const chain = new Map([
    [10, new Map([['0x1', 1]])],
    [11, new Map([['0x1', 2]])],
    [12, new Map([['0x1', 3]])],
  ]);

  it('loads once, then moves forward by changes; the same block is served from memory; an older block is left to the caller', async () => {
    const { follower, calls } = scriptedFollower(chain);
    const service = createViewService({ canonical: async () => true });
    const v10 = await service.viewAt(key, follower, input(blk(10)));
    const v11 = await service.viewAt(key, follower, input(blk(11)));
    expect(await service.viewAt(key, follower, input(blk(11)))).toBe(v11);
    // two blocks on: continuity from the RPC (no parent hash to compare)
    const v12 = await service.viewAt(key, follower, input({ ...blk(12), number: 12, parentHash: null }));
    expect([v10, v11, v12].map((v) => v!.accounts[0].debtBase)).toEqual([1n, 2n, 3n]);
    expect(await service.viewAt(key, follower, input(blk(11)))).toBeNull();
    expect(calls).toEqual(['load 10', 'advance 10->11', 'advance 11->12']);
    expect(service.status()).toEqual([expect.objectContaining({ key, positions: 1, accounts: 1, followed: true, updates: 3, reorgs: 0 })]);
  });

  it('rebuilds on a reorg: a head whose parent is not the followed block, or a followed block the chain no longer has', async () => {
    const { follower, calls } = scriptedFollower(new Map([...chain, [14, new Map([['0x1', 4]])]]));
    const events: ViewServiceEvent[] = [];
    const canonical = jest.fn(async (b: BlockRef) => b.hash !== '0xa11');
    const service = createViewService({ canonical, onEvent: (e) => events.push(e) });
    await service.viewAt(key, follower, input(blk(10)));
    await service.viewAt(key, follower, input(blk(11, 'b', 'c'))); // parent is not 0xa10
    await service.viewAt(key, follower, input(blk(12, 'b'))); // parent 0xb11: continues
    await service.viewAt(key, follower, input(blk(12, 'd'))); // same height, another block
    expect(calls).toEqual(['load 10', 'load 11', 'advance 11->12', 'load 12']);
    expect(events.map((e) => e.kind)).toEqual(['load', 'reorg', 'load', 'advance', 'reorg', 'load']);
    expect(service.status()[0].reorgs).toBe(2);
    expect(canonical).not.toHaveBeenCalled();
    // A gap of blocks: asks the chain whether the followed block is still there.
    await service.viewAt(key, follower, input({ ...blk(14, 'd'), parentHash: '0xd13' }));
    expect(canonical).toHaveBeenCalledWith(expect.objectContaining({ number: 12, hash: '0xd12' }));
  });

  it('without a way to check ancestry across a gap it rebuilds rather than guess', async () => {
    const { follower, calls } = scriptedFollower(chain);
    const events: ViewServiceEvent[] = [];
    const service = createViewService({ onEvent: (e) => events.push(e) });
    await service.viewAt(key, follower, input(blk(10)));
    await service.viewAt(key, follower, input(blk(12)));
    expect(calls).toEqual(['load 10', 'load 12']);
    expect(events.map((e) => e.kind)).toEqual(['load', 'unverified', 'load']);
    expect(service.status()[0].reorgs).toBe(0);
  });

  it('a failed move drops the state (a half-applied change is never served) and the next block loads fresh', async () => {
    const { follower, calls } = scriptedFollower(new Map([...chain, [99, new Map()], [100, new Map([['0x1', 7]])]]));
    const service = createViewService({ canonical: async () => true });
    await service.viewAt(key, follower, input(blk(12)));
    await expect(service.viewAt(key, follower, input(blk(99)))).rejects.toThrow('subgraph down');
    expect((await service.viewAt(key, follower, input(blk(100))))!.accounts[0].debtBase).toBe(7n);
    expect(calls).toEqual(['load 12', 'advance 12->99', 'load 100']);
  });

  it('keeps no state beyond its position budget (that protocol is recomputed at each block) and never follows an unhashed block', async () => {
    const { follower, calls } = scriptedFollower(chain);
    const service = createViewService({ maxPositions: 0, canonical: async () => true });
    await service.viewAt(key, follower, input(blk(10)));
    await service.viewAt(key, follower, input(blk(11)));
    expect(calls).toEqual(['load 10', 'load 11']);
    expect(service.status()[0]).toEqual(expect.objectContaining({ followed: false, positions: 1 }));
    expect(await service.viewAt(key, follower, input({ number: 12, hash: null, timestamp: 0 }))).toBeNull();
  });

  it('moves of one protocol run one after another: concurrent requests for the head share one move', async () => {
    const { follower, calls } = scriptedFollower(chain);
    const service = createViewService({ canonical: async () => true });
    await service.viewAt(key, follower, input(blk(10)));
    const [a, b] = await Promise.all([service.viewAt(key, follower, input(blk(11))), service.viewAt(key, follower, input(blk(11)))]);
    expect(a).toBe(b);
    expect(calls).toEqual(['load 10', 'advance 10->11']);
  });
});

describe('view cache', () => {
  const viewOf = (accounts: number) => Promise.resolve({ accountCount: accounts } as unknown as ProtocolView);
  it('keeps views within a count and an account budget, oldest out first, never the one just added; a failure is not kept', async () => {
    const cache = new ViewCache(3, 100);
    let computed = 0;
    const get = (key: string, accounts: number) => cache.get(key, () => (computed++, viewOf(accounts)));
    await get('a', 40);
    await get('b', 40);
    await get('a', 40); // hit
    expect(computed).toBe(2);
    await get('c', 40); // 120 accounts: 'a' goes
    await get('b', 1);
    expect(computed).toBe(3);
    await get('a', 40);
    expect(computed).toBe(4);
    await get('huge', 500); // over the budget alone: kept (the one just added), everything else out
    await get('huge', 500);
    expect(computed).toBe(5);
    await get('b', 1);
    expect(computed).toBe(6);
    await expect(cache.get('bad', () => Promise.reject(new Error('down')))).rejects.toThrow('down');
    await get('bad', 1);
    expect(computed).toBe(7);
  });
});
