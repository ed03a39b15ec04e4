import { intervalCount, intervals, lastBlockBefore } from '../../server/schema/research-history';
import type { BlockHeaderSource, BlockRef } from '../../server/sources/blocks';

/** A chain of headers in memory: several blocks per second, gaps (warps), equal timestamps. */
const times = [100, 100, 101, 105, 105, 105, 2000, 2001, 2001, 9000];
const chain: BlockRef[] = times.map((timestamp, number) => ({ number, hash: `0x${number}`, timestamp }));
const reads: number[] = [];
const headers: BlockHeaderSource = {
  async header(n) {
    reads.push(n);
    return chain[n] ?? null;
  },
};
const head = chain[chain.length - 1];

describe('history: intervals and the last block before a time', () => {
  it('aligns intervals to UTC multiples and counts them without building them', () => {
    expect(intervals(3601, 7300, 3600)).toEqual([{ start: 3600, end: 7200 }, { start: 7200, end: 10800 }]);
    for (const [from, to, s] of [[0, 0, 3600], [3599, 3600, 3600], [1, 86400 * 3, 86400], [500, 400, 60]]) expect(intervalCount(from, to, s)).toBe(intervals(from, to, s).length);
  });

  it('finds, for every end time, the last block strictly before it (brute force over the same chain)', async () => {
    for (let end = 99; end <= 9002; end += end < 2100 ? 1 : 997) {
      const want = [...chain].reverse().find((b) => b.timestamp < end) ?? null;
      expect({ end, got: await lastBlockBefore(headers, end, 0, head) }).toEqual({ end, got: want });
    }
  });

  it('searches in logarithmically many header reads', async () => {
    reads.length = 0;
    await lastBlockBefore(headers, 2001, 0, head);
    expect(reads.length).toBeLessThanOrEqual(2 + Math.ceil(Math.log2(chain.length)));
  });
});
