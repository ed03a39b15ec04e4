import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '../../devnet/stack/ports';
import { groupAlive } from './processes';

export interface AaveDeploymentState {
  version: '3.0' | '3.6';
  startBlock: number | string;
  pool: `0x${string}`;
  poolConfigurator: `0x${string}`;
  aaveOracle: `0x${string}`;
  treasury: `0x${string}`;
  umbrella?: `0x${string}`;
  /** A v3.0 market upgraded in place to v3.6: the block of the implementation switch. */
  upgradeBlock?: number;
  reserves: {
    symbol: string;
    decimals: number;
    underlying: `0x${string}`;
    aToken: `0x${string}`;
    variableDebtToken: `0x${string}`;
    /** The oracle source behind the reserve (devnet/chainlink/feeds.ts PriceFeed): aggregators as at deployment. */
    feed?: { kind: 'chainlink-proxy' | 'capo'; proxy: `0x${string}`; aggregator: `0x${string}` };
  }[];
}

export interface AaveScenarioState {
  seed: string;
  accounts: `0x${string}`[];
  liquidators: `0x${string}`[];
  checkpoints: { name: string; block: number | string }[];
  deficitAccounts?: `0x${string}`[];
  deficitAssets?: `0x${string}`[];
}

/** The state file `npm start` writes (devnet/cli/start.ts). */
export interface StackState {
  rpcUrl: string;
  network: string;
  subgraphs: Record<string, string>;
  gatewayUrl: string;
  statusUrl: string;
  indexedBlock: number;
  logDir: string;
  devnet: Record<string, { deployment: AaveDeploymentState; scenario: AaveScenarioState }>;
}

/** One devnet protocol as the suites see it: where to query it and what the scenario did. */
export interface ProtocolUnderTest {
  /** Subgraph and gateway endpoint name, e.g. "aave-v3.6". */
  name: string;
  rpcUrl: string;
  gatewayUrl: string;
  subgraphUrl: string;
  indexedBlock: number;
  deployment: AaveDeploymentState;
  scenario: AaveScenarioState;
}

export function protocolUnderTest(state: StackState, name: string): ProtocolUnderTest {
  const run = state.devnet[name];
  if (!run) throw new Error(`the stack did not deploy ${name}; it has ${Object.keys(state.devnet).join(', ')}`);
  return { name, rpcUrl: state.rpcUrl, gatewayUrl: state.gatewayUrl, subgraphUrl: state.subgraphs[name], indexedBlock: state.indexedBlock, ...run };
}

export interface StopReport {
  /** How the stack process ended: 143 = its own orderly exit on SIGTERM; SIGKILL = it had to be killed. */
  exit: number | string | null;
  /** Process groups the stack had started that were still alive after it exited (then killed). */
  survivors: number[];
}

export interface StackUnderTest {
  state: StackState;
  ports: Record<string, number>;
  output(): string;
  /** Settles when the stack's process exits on its own (its exit code, or the signal that ended it). */
  exited: Promise<number | string | null>;
  stop(): Promise<StopReport>;
}

const root = path.resolve(__dirname, '..', '..');

function recordedGroups(workDir: string): number[] {
  try {
    return JSON.parse(fs.readFileSync(path.join(workDir, 'pids.json'), 'utf8')) as number[];
  } catch {
    return []; // nothing was started, or nothing recorded
  }
}


/**
 * Kills the recorded process groups still alive a few seconds after the stack exited (a group that
 * was just SIGKILLed takes a moment to be reaped); returns which ones were.
 */
async function killRecordedGroups(workDir: string): Promise<number[]> {
  const deadline = Date.now() + 5000;
  let survivors = recordedGroups(workDir).filter(groupAlive);
  while (survivors.length > 0 && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 100));
    survivors = survivors.filter(groupAlive);
  }
  for (const pid of survivors) process.kill(-pid, 'SIGKILL');
  return survivors;
}

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
  // `node --import tsx` runs the entry point in this one process (the tsx CLI would add a parent
  // process in between, and a signal to that parent must then be relayed).
  const args = [
    '--import',
    'tsx',
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
  const exited = new Promise<number | string | null>((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal)));

  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    const exit = await exited;
    clearTimeout(timer);
    // The stack stops its children itself; if it could not (killed), end what it recorded.
    const survivors = await killRecordedGroups(workDir);
    fs.rmSync(workDir, { recursive: true, force: true });
    return { exit, survivors };
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
  return { state, ports, output: () => output, exited, stop };
}
