// Fast checks of the devnet building blocks that need no chain (plus the port-in-use error).
import fs from 'node:fs';
import net from 'node:net';
import { freePort, startAnvil, deriveAccount } from '../../devnet/chain/anvil';
import { libraryDeployOrder, linkBytecode, loadArtifact } from '../../devnet/aave-v3/artifacts';
import { ABIS_FILE, renderAbis } from '../../devnet/aave-v3/gen-abis';
import { planScenario } from '../../devnet/scenario/plan';
import { Rng } from '../../devnet/scenario/rng';

test('libraries deploy before their users (FlashLoanLogic links BorrowLogic)', () => {
  const order = libraryDeployOrder(['Pool', 'PoolConfigurator']);
  expect(order.indexOf('BorrowLogic')).toBeLessThan(order.indexOf('FlashLoanLogic'));
  expect(order).toEqual(expect.arrayContaining(['SupplyLogic', 'LiquidationLogic', 'PoolLogic', 'EModeLogic', 'BridgeLogic', 'ConfiguratorLogic']));
});

test('linking replaces every placeholder at the linkReferences offsets', () => {
  const pool = loadArtifact('Pool');
  expect(pool.bytecode).toContain('__$');
  const libs = Object.fromEntries(libraryDeployOrder(['Pool']).map((l, i) => [l, `0x${(i + 1).toString(16).padStart(40, '0')}` as const]));
  const linked = linkBytecode(pool, libs);
  expect(linked).not.toContain('__$');
  expect(linked.length).toBe(pool.bytecode.length);
  const ref = pool.linkReferences['contracts/protocol/libraries/logic/BorrowLogic.sol'].BorrowLogic[0];
  expect(linked.slice(2 + ref.start * 2, 2 + (ref.start + 20) * 2)).toBe(libs.BorrowLogic.slice(2));
  expect(() => linkBytecode(pool, {})).toThrow(/needs library/);
});

test('abis.ts is current with the artifacts', () => {
  expect(fs.readFileSync(ABIS_FILE, 'utf8')).toBe(renderAbis());
});

test('rng and plan are deterministic per seed', () => {
  const a = new Rng('s'), b = new Rng('s'), c = new Rng('t');
  const xs = Array.from({ length: 5 }, () => a.u32());
  expect(Array.from({ length: 5 }, () => b.u32())).toEqual(xs);
  expect(Array.from({ length: 5 }, () => c.u32())).not.toEqual(xs);
  expect(planScenario('seed', 200)).toEqual(planScenario('seed', 200));
  expect(planScenario('seed', 200)).not.toEqual(planScenario('other', 200));
  // Growing the account count keeps the plans of the first accounts.
  expect(planScenario('seed', 300).accounts[150]).toEqual(planScenario('seed', 200).accounts[150]);
  expect(deriveAccount('seed', 3).address).toBe(deriveAccount('seed', 3).address);
});

test('startAnvil names the port when it is taken', async () => {
  const port = await freePort();
  const srv = net.createServer();
  await new Promise<void>((r) => srv.listen(port, '127.0.0.1', r));
  try {
    await expect(startAnvil({ port })).rejects.toThrow(`port ${port} is already in use (wanted by anvil)`);
  } finally {
    await new Promise((r) => srv.close(r));
  }
});
