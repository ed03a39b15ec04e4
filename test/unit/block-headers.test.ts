// Block headers after a reorg, on a real anvil: a recent block's header is read again (a reorg there
// changes its hash and the gateway must see the new one), a settled block's is kept.
import { createRpcHeaderSource, SETTLED_DEPTH } from '../../server/sources/blocks';
import { freePort } from '../../devnet/stack/ports';
import { startAnvil } from '../../devnet/chain/anvil';

async function rpc(url: string, method: string, params: unknown[] = []): Promise<any> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }) });
  const body = (await res.json()) as { result?: unknown; error?: { message: string } };
  if (body.error) throw new Error(body.error.message);
  return body.result;
}

describe('RPC block headers across a reorg', () => {
  it('reads a recent block again (a reorg changes its hash), keeps a settled one', async () => {
    const anvil = await startAnvil({ port: await freePort() });
    try {
      const url = anvil.rpcUrl;
      const headers = createRpcHeaderSource(url);
      await rpc(url, 'anvil_mine', ['0x2']);
      const fork = await rpc(url, 'evm_snapshot');
      await rpc(url, 'evm_mine');
      const before = (await headers.header(3, 3))!;
      // The same height on another branch: a different timestamp makes a different block.
      await rpc(url, 'evm_revert', [fork]);
      await rpc(url, 'evm_setNextBlockTimestamp', [before.timestamp + 7]);
      await rpc(url, 'evm_mine');
      const after = (await headers.header(3, 3))!;
      expect(after.number).toBe(3);
      expect(after.hash).not.toBe(before.hash);
      expect(after.hash).toBe((await rpc(url, 'eth_getBlockByNumber', ['0x3', false])).hash);
      expect(await headers.canonical(before)).toBe(false);

      // Settled blocks are kept: once the chain is gone, they still answer, recent ones cannot.
      await rpc(url, 'anvil_mine', [`0x${(SETTLED_DEPTH + 10).toString(16)}`]);
      const head = (await headers.latest()).number;
      const settled = (await headers.header(5, head))!;
      const recent = (await headers.header(head - 1, head))!;
      await anvil.stop();
      expect(await headers.header(5, head)).toEqual(settled);
      await expect(headers.header(head - 1, head)).rejects.toMatchObject({ extensions: { code: 'BLOCK_TIMESTAMP_UNAVAILABLE' } });
      expect(recent.number).toBe(head - 1);
    } finally {
      await anvil.stop();
    }
  });
});
