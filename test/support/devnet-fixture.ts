import { devnetClients, freePort, startAnvil, type AnvilHandle, type DevnetClients } from '../../devnet/chain/anvil';

/**
 * A real anvil for one test file, with a deployment and a scenario run once in beforeAll, and anvil
 * stopped in afterAll even when setup failed. TEST_ANVIL_PORT pins the port (shared machines with
 * assigned port ranges); a free port otherwise.
 */
export function useDevnet<D, S extends { checkpoints: { name: string; block: number }[] }>(setup: (clients: DevnetClients) => Promise<{ deployment: D; result: S }>) {
  let anvil: AnvilHandle | undefined;
  const state = {} as { clients: DevnetClients; deployment: D; result: S };
  beforeAll(async () => {
    anvil = await startAnvil({ port: process.env.TEST_ANVIL_PORT ? Number(process.env.TEST_ANVIL_PORT) : await freePort() });
    state.clients = devnetClients(anvil.rpcUrl);
    Object.assign(state, await setup(state.clients));
  });
  afterAll(async () => {
    await anvil?.stop();
  });
  /** The block of a scenario checkpoint, by name. */
  const block = (name: string) => {
    const c = state.result.checkpoints.find((x) => x.name === name);
    if (!c) throw new Error(`no checkpoint ${name}`);
    return BigInt(c.block);
  };
  return { state, block };
}
