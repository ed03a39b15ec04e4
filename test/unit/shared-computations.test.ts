// A computation one request started and others joined must not fail the joiners with the first
// request's deadline (server/context.ts, joined).
import { BoundedCache, ViewCache } from '../../server/context';
import { SubgraphError } from '../../server/sources/subgraph-client';
import type { ProtocolView } from '../../server/views/model';

const cancelledLater = () =>
  new Promise<never>((_, reject) => setTimeout(() => reject(new SubgraphError('REQUEST_TIMEOUT', 'the request was cancelled before the subgraph answered', 's')), 20));
const view = (accountCount: number) => ({ accountCount }) as unknown as ProtocolView;

describe('a shared computation cancelled by its first request', () => {
  it('is started again for a joiner whose own request is alive (read cache)', async () => {
    const cache = new BoundedCache<string>(8);
    let computed = 0;
    const first = cache.get('k', () => (computed++, cancelledLater()), new AbortController().signal);
    const joiner = cache.get('k', async () => (computed++, 'fresh'), new AbortController().signal);
    await expect(first).rejects.toMatchObject({ code: 'REQUEST_TIMEOUT' });
    await expect(joiner).resolves.toBe('fresh');
    expect(computed).toBe(2);
    // The joiner's computation is kept for the next caller.
    await expect(cache.get('k', async () => 'not asked')).resolves.toBe('fresh');
  });

  it('is started again for a joiner of a view (view cache)', async () => {
    const cache = new ViewCache(4);
    const first = cache.get('v', () => cancelledLater(), new AbortController().signal);
    const joiner = cache.get('v', async () => view(7), new AbortController().signal);
    await expect(first).rejects.toMatchObject({ code: 'REQUEST_TIMEOUT' });
    await expect(joiner).resolves.toMatchObject({ accountCount: 7 });
  });

  it('still fails a joiner whose own request was cancelled, and any other error is shared as it is', async () => {
    const cache = new BoundedCache<string>(8);
    const gone = new AbortController();
    cache.get('k', () => cancelledLater(), new AbortController().signal).catch(() => undefined);
    const joiner = cache.get('k', async () => 'never', gone.signal);
    gone.abort();
    await expect(joiner).rejects.toMatchObject({ code: 'REQUEST_TIMEOUT' });

    const failing = new BoundedCache<string>(8);
    const down = new SubgraphError('SUBGRAPH_UNAVAILABLE', 'subgraph s unreachable', 's');
    failing.get('k', () => Promise.reject(down), new AbortController().signal).catch(() => undefined);
    let recomputed = false;
    await expect(failing.get('k', async () => ((recomputed = true), 'x'), new AbortController().signal)).rejects.toBe(down);
    expect(recomputed).toBe(false);
  });
});
