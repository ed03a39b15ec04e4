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
   * Which deployment of the manifest on `network`, when there are several (Ethereum mainnet has four
   * Aave V3 instances: Core, Prime, EtherFi, Horizon). networks.json keeps each under the key
   * `<network>:<instance>` (`mainnet:prime`); omitted, the plain `<network>` key is used (Core and
   * Morpho Blue on mainnet). graph-node only knows the chain's own name, so the build reads that
   * entry through a temporary networks file whose only key is `network`.
   */
  instance?: string;
  /**
   * Addresses for `network` by data source name. When given (the devnet, whose addresses come from the
   * deployment), they override subgraph/networks.json; otherwise networks.json must know `network`.
   */
  dataSources?: Record<string, NetworkDataSource>;
  /** Where build output and the generated network file go. */
  workDir: string;
  log?: (line: string) => void;
  /**
   * Run `graph codegen` first (default). Off for a further build of a manifest whose code was just
   * generated: the generated folder is shared, so builds that skip it can run side by side.
   */
  codegen?: boolean;
  /**
   * Mapping files to compile instead of the manifest's own, by the manifest's `file:` value
   * (`./src/aave-v3/pool.ts` -> an absolute path). The benchmark's floor build (bench/floor.ts) uses it.
   */
  mappings?: Record<string, string>;
}

export interface SubgraphBuild {
  /** graph build's output: the compiled manifest (subgraph.yaml), wasm, schema and ABIs. */
  buildDir: string;
}

/** The networks.json key that holds one deployment: `<network>` or `<network>:<instance>`. */
export function networkKey(network: string, instance?: string): string {
  return instance ? `${network}:${instance}` : network;
}

/**
 * The instances networks.json lists for `network`: undefined for the plain `<network>` entry, then
 * every `<network>:<instance>` suffix, in file order.
 */
export function networkInstances(networkFile: string, network: string): (string | undefined)[] {
  const known = Object.keys(JSON.parse(fs.readFileSync(networkFile, 'utf8')) as Record<string, unknown>);
  const out: (string | undefined)[] = [];
  for (const key of known) {
    if (key === network) out.unshift(undefined);
    else if (key.startsWith(`${network}:`)) out.push(key.slice(network.length + 1));
  }
  return out;
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
  const copy = path.join(dir, `.manifest-${name}.${options.network}${options.instance ? `-${options.instance}` : ''}.${process.pid}.yaml`);
  fs.copyFileSync(manifest, copy);
  try {
    if (options.mappings) {
      const replaced = fs.readFileSync(copy, 'utf8').replace(/^(\s*file: )(\S+)$/gm, (line, key: string, file: string) => {
        const to = options.mappings![file];
        return to === undefined ? line : `${key}${path.resolve(to)}`;
      });
      fs.writeFileSync(copy, replaced);
    }
    let networkFile = path.join(dir, 'networks.json');
    if (options.dataSources) {
      const known = JSON.parse(fs.readFileSync(networkFile, 'utf8')) as Record<string, unknown>;
      networkFile = path.join(workDir, `networks.${name}.json`);
      fs.writeFileSync(networkFile, JSON.stringify({ ...known, [options.network]: options.dataSources }, null, 2));
    } else if (options.instance) {
      const known = JSON.parse(fs.readFileSync(networkFile, 'utf8')) as Record<string, unknown>;
      const key = networkKey(options.network, options.instance);
      if (!known[key]) throw new StackError('BAD_CONFIG', `no "${key}" entry in ${networkFile}`);
      networkFile = path.join(workDir, `networks.${name}.${options.instance}.json`);
      fs.writeFileSync(networkFile, JSON.stringify({ [options.network]: known[key] }, null, 2));
    }
    const buildDir = path.join(workDir, `build-${name}${options.instance ? `-${options.instance}` : ''}`);
    if (options.codegen !== false) {
      options.log?.(`graph codegen ${path.relative(process.cwd(), manifest)}`);
      await runGraph(['codegen', copy, '-o', path.join(dir, 'generated')], dir);
    }
    options.log?.(`graph build --network ${options.network}`);
    await runGraph(['build', copy, '--network', options.network, '--network-file', networkFile, '-o', buildDir], dir);
    return { buildDir };
  } finally {
    fs.rmSync(copy, { force: true });
  }
}
