import net from 'node:net';
import path from 'node:path';
import { MAINNET_SUBGRAPHS, parseFlags, portsFrom, repoRoot } from '../../devnet/cli/options';
import { networkInstances } from '../../devnet/stack/subgraph-build';
import { StackError } from '../../devnet/stack/errors';
import { DEFAULT_PORTS, assertPortFree, freePort } from '../../devnet/stack/ports';
import { Teardown } from '../../devnet/stack/teardown';

describe('stack flags', () => {
  it('reads flags over environment variables, with documented defaults for the rest', () => {
    const flags = parseFlags(['--port-anvil', '9545', '--seed=s1', '--exit-when-synced'], { STACK_PORT_ANVIL: '7545', STACK_ACCOUNTS: '12' });
    expect(flags['port-anvil']).toBe(9545);
    expect(flags.seed).toBe('s1');
    expect(flags.accounts).toBe(12);
    expect(flags['exit-when-synced']).toBe(true);
    const ports = portsFrom(flags);
    expect(ports.anvil).toBe(9545);
    expect(ports.http).toBe(DEFAULT_PORTS.http);
  });

  it.each([
    [['--port-anvil', '70000'], /--port-anvil must be a port/],
    [['--accounts', 'many'], /--accounts must be a positive integer/],
    [['--frobnicate'], /unknown argument "--frobnicate"/],
    [['--rpc'], /--rpc needs a value/],
  ])('rejects %j with a BAD_CONFIG error naming the problem', (argv, message) => {
    let caught: unknown;
    try {
      parseFlags(argv, {});
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(StackError);
    expect((caught as StackError).code).toBe('BAD_CONFIG');
    expect((caught as StackError).message).toMatch(message);
  });
});

describe('ports', () => {
  it('names the port and its owner when the port is taken', async () => {
    const port = await freePort();
    const holder = net.createServer();
    await new Promise<void>((r) => holder.listen(port, '127.0.0.1', () => r()));
    try {
      await expect(assertPortFree(port, 'graph-node http')).rejects.toMatchObject({
        code: 'PORT_IN_USE',
        message: expect.stringContaining(`port ${port} is already in use (wanted by graph-node http)`),
      });
    } finally {
      await new Promise((r) => holder.close(r));
    }
    await expect(assertPortFree(port, 'graph-node http')).resolves.toBeUndefined();
  });
});

describe('teardown', () => {
  it('stops newest first, keeps going past a failing step, and runs once', async () => {
    const order: string[] = [];
    const teardown = new Teardown();
    teardown.add('a', () => void order.push('a'));
    teardown.add('b', () => {
      order.push('b');
      throw new Error('boom');
    });
    teardown.add('c', async () => void order.push('c'));
    const logged: string[] = [];
    await Promise.all([teardown.run((l) => logged.push(l)), teardown.run()]);
    expect(order).toEqual(['c', 'b', 'a']);
    expect(logged).toEqual(['stopping b failed: boom']);
  });

  it('stops a component that registers after stopping began', async () => {
    const teardown = new Teardown();
    await teardown.run();
    const stopped = new Promise<string>((resolve) => {
      expect(() => teardown.add('late', () => resolve('stopped'))).toThrow(/stack is stopping/);
    });
    await expect(stopped).resolves.toBe('stopped');
  });
});

describe('--rpc mode deployments', () => {
  it('deploys every Aave V3 instance networks.json lists for mainnet, once each, plus Morpho Blue', () => {
    const file = path.join(repoRoot, 'subgraph', 'networks.json');
    const aave = MAINNET_SUBGRAPHS.filter((s) => s.manifest.endsWith('aave-v3.yaml'));
    expect(aave.map((s) => s.instance).sort()).toEqual([...networkInstances(file, 'mainnet')].sort());
    expect(new Set(MAINNET_SUBGRAPHS.map((s) => s.name)).size).toBe(MAINNET_SUBGRAPHS.length);
    expect(MAINNET_SUBGRAPHS.some((s) => s.manifest.endsWith('morpho-blue.yaml'))).toBe(true);
  });
});
