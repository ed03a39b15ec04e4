import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { StackError } from './errors';

/** One data source's place on a network, in graph-cli's networks.json format. */
export interface NetworkDataSource {
  address: string;
  startBlock: number;
}

export interface SubgraphBuildOptions {
  /** Names the build (one manifest can be built for several deployments). */
  name: string;
  /** The committed manifest, e.g. subgraph/aave-v3.yaml (holds the mainnet addresses). */
  manifest: string;
  network: string;
  /**
   * Addresses for `network` by data source name. When given (the devnet, whose addresses come from the
   * deployment), they override subgraph/networks.json; otherwise networks.json must know `network`.
   */
  dataSources?: Record<string, NetworkDataSource>;
  /** Where build output and the generated network file go. */
  workDir: string;
  log?: (line: string) => void;
}

export interface SubgraphBuild {
  /** graph build's output: the compiled manifest (subgraph.yaml), wasm, schema and ABIs. */
  buildDir: string;
}

function graphCli(): string {
  return path.join(path.dirname(require.resolve('@graphprotocol/graph-cli/package.json')), 'bin', 'run.js');
}

async function runGraph(args: string[], cwd: string): Promise<void> {
  const output: string[] = [];
  const code = await new Promise<number | null>((resolve, reject) => {
    const child = spawn(process.execPath, [graphCli(), ...args], {
      cwd,
      env: { ...process.env, GRAPH_SKIP_NEW_VERSION_CHECK: 'true' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout.on('data', (c: Buffer) => output.push(c.toString()));
    child.stderr.on('data', (c: Buffer) => output.push(c.toString()));
    child.once('error', reject);
    child.once('exit', resolve);
  });
  if (code !== 0) {
    const tail = output.join('').split('\n').filter(Boolean).slice(-30);
    throw new StackError('COMPONENT_FAILED', `graph ${args[0]} failed (exit ${code})`, tail);
  }
}

/**
 * graph-cli codegen + build for one network. `graph build --network` rewrites the manifest it is given
 * in place, so it runs on a copy placed next to the committed manifest (relative paths to the schema,
 * ABIs and mappings stay valid) and the committed file is never touched.
 */
export async function buildSubgraph(options: SubgraphBuildOptions): Promise<SubgraphBuild> {
  const manifest = path.resolve(options.manifest);
  const dir = path.dirname(manifest);
  const name = options.name;
  const workDir = path.resolve(options.workDir);
  fs.mkdirSync(workDir, { recursive: true });
  const copy = path.join(dir, `.manifest-${name}.${options.network}.${process.pid}.yaml`);
  fs.copyFileSync(manifest, copy);
  try {
    let networkFile = path.join(dir, 'networks.json');
    if (options.dataSources) {
      const known = JSON.parse(fs.readFileSync(networkFile, 'utf8')) as Record<string, unknown>;
      networkFile = path.join(workDir, `networks.${name}.json`);
      fs.writeFileSync(networkFile, JSON.stringify({ ...known, [options.network]: options.dataSources }, null, 2));
    }
    const buildDir = path.join(workDir, `build-${name}`);
    options.log?.(`graph codegen ${path.relative(process.cwd(), manifest)}`);
    await runGraph(['codegen', copy, '-o', path.join(dir, 'generated')], dir);
    options.log?.(`graph build --network ${options.network}`);
    await runGraph(['build', copy, '--network', options.network, '--network-file', networkFile, '-o', buildDir], dir);
    return { buildDir };
  } finally {
    fs.rmSync(copy, { force: true });
  }
}
