import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '../../devnet/stack/ports';

export interface StackState {
  rpcUrl: string;
  network: string;
  subgraphs: Record<string, string>;
  gatewayUrl: string;
  statusUrl: string;
  indexedBlock: number;
  logDir: string;
  deployment: {
    startBlock: number | string;
    pool: `0x${string}`;
    poolConfigurator: `0x${string}`;
    aaveOracle: `0x${string}`;
    treasury: `0x${string}`;
    reserves: {
      symbol: string;
      decimals: number;
      underlying: `0x${string}`;
      aToken: `0x${string}`;
      variableDebtToken: `0x${string}`;
    }[];
  };
  scenario: {
    seed: string;
    accounts: `0x${string}`[];
    checkpoints: { name: string; block: number | string }[];
  };
}

export interface StackUnderTest {
  state: StackState;
  ports: Record<string, number>;
  output(): string;
  stop(): Promise<void>;
}

const root = path.resolve(__dirname, '..', '..');

/**
 * Runs the real `npm start` entry point (devnet/cli/start.ts) as a child process on free ports, the
 * way a user runs it, and waits for its READY line. The stack stops when stop() is called, and also
 * when this test process dies (it watches its standard input).
 */
export async function startStackProcess(options: { accounts: number; seed: string; timeoutMs: number }): Promise<StackUnderTest> {
  const ports = {
    'port-anvil': await freePort(),
    'port-postgres': await freePort(),
    'port-ipfs': await freePort(),
    'port-graphql': await freePort(),
    'port-admin': await freePort(),
    'port-index-node': await freePort(),
    'port-metrics': await freePort(),
    'port-gateway': await freePort(),
  };
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'baddebt-e2e-'));
  // Postgres runs as its own OS user when tests run as root: it must be able to enter this folder.
  fs.chmodSync(workDir, 0o755);
  const args = [
    path.join(root, 'node_modules', 'tsx', 'dist', 'cli.mjs'),
    path.join(root, 'devnet', 'cli', 'start.ts'),
    '--work-dir', workDir,
    '--seed', options.seed,
    '--accounts', String(options.accounts),
    '--stop-on-stdin-close',
    ...Object.entries(ports).flatMap(([flag, port]) => [`--${flag}`, String(port)]),
  ];
  const child: ChildProcess = spawn(process.execPath, args, { cwd: root, stdio: ['pipe', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (output += c.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));

  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    await exited;
    clearTimeout(timer);
    fs.rmSync(workDir, { recursive: true, force: true });
  };

  const ready = await new Promise<string | null>((resolve) => {
    const timer = setTimeout(() => resolve(null), options.timeoutMs);
    const check = () => {
      const match = /^READY (.*)$/m.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    };
    child.stdout!.on('data', check);
    void exited.then(() => {
      clearTimeout(timer);
      resolve(null);
    });
  });
  if (!ready) {
    await stop();
    throw new Error(`the stack did not come up:\n${output.split('\n').slice(-60).join('\n')}`);
  }
  const { stateFile } = JSON.parse(ready) as { stateFile: string };
  const state = JSON.parse(fs.readFileSync(stateFile, 'utf8')) as StackState;
  return { state, ports, output: () => output, stop };
}
