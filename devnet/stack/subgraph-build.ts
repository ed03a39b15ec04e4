import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
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
 * The addresses and start blocks one deployment of a manifest gets on `network`: the deployment's own
 * (devnet), else networks.json's `<network>` or `<network>:<instance>` entry. A missing entry is a
 * BAD_CONFIG error.
 */
export function networkConfig(
  options: Pick<SubgraphBuildOptions, 'network' | 'instance' | 'dataSources'>,
  networkFile: string,
): Record<string, NetworkDataSource> {
  if (options.dataSources) return options.dataSources;
  const known = JSON.parse(fs.readFileSync(networkFile, 'utf8')) as Record<string, Record<string, NetworkDataSource>>;
  const key = networkKey(options.network, options.instance);
  if (!known[key]) throw new StackError('BAD_CONFIG', `no "${key}" entry in ${networkFile}`);
  return known[key];
}

/** One built data source or template, as much of it as placing it on a network touches. */
interface BuiltSource {
  name: string;
  network?: string;
  source?: { abi?: string; [key: string]: unknown };
}

/**
 * Places a built manifest (graph build's subgraph.yaml) on `network` at the given addresses and start
 * blocks, exactly as `graph build --network` places the source manifest before compiling: every data
 * source takes `network` and its entry's fields (its source keeps only its ABI besides), every template
 * takes `network`; entries for data sources the manifest does not have are ignored. The mappings do
 * not depend on the network, so a built manifest patched this way deploys the same subgraph that
 * graph build would have compiled for that deployment. A data source without an entry is a
 * BAD_CONFIG error, as it is for graph-cli.
 */
export function placeBuiltManifest(manifestYaml: string, network: string, dataSources: Record<string, NetworkDataSource>, what = 'the manifest'): string {
  const manifest = YAML.parse(manifestYaml) as { dataSources?: BuiltSource[]; templates?: BuiltSource[] } | null;
  if (!manifest || !Array.isArray(manifest.dataSources) || manifest.dataSources.length === 0) {
    throw new StackError('COMPONENT_FAILED', `${what} has no data sources: not a graph build output`);
  }
  for (const dataSource of manifest.dataSources) {
    const entry = dataSources[dataSource.name];
    if (!entry) {
      throw new StackError('BAD_CONFIG', `data source "${dataSource.name}" of ${what} has no address for network "${network}" (have: ${Object.keys(dataSources).join(', ') || 'none'})`);
    }
    dataSource.network = network;
    dataSource.source = { ...(dataSource.source?.abi ? { abi: dataSource.source.abi } : {}), ...entry };
  }
  for (const template of manifest.templates ?? []) template.network = network;
  return YAML.stringify(manifest);
}

/** The build directory of one deployment: `<workDir>/build-<name>[-<instance>]`. */
function buildDirOf(workDir: string, options: Pick<SubgraphBuildOptions, 'name' | 'instance'>): string {
  return path.join(workDir, `build-${options.name}${options.instance ? `-${options.instance}` : ''}`);
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
  // graph-node only knows the chain's own name: the build reads this deployment's entry through a
  // networks file whose only key is `network`.
  const networkFile = path.join(workDir, `networks.${name}${options.instance ? `.${options.instance}` : ''}.json`);
  fs.writeFileSync(networkFile, JSON.stringify({ [options.network]: networkConfig(options, path.join(dir, 'networks.json')) }, null, 2));
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
    const buildDir = buildDirOf(workDir, options);
    if (options.codegen !== false) {
      options.log?.(`graph codegen ${path.relative(process.cwd(), manifest)}`);
      await runGraph(['codegen', copy, '-o', path.join(dir, 'generated')], dir);
    }
    options.log?.(`graph build ${path.relative(process.cwd(), manifest)} --network ${options.network}`);
    await runGraph(['build', copy, '--network', options.network, '--network-file', networkFile, '-o', buildDir], dir);
    return { buildDir };
  } finally {
    fs.rmSync(copy, { force: true });
  }
}

/**
 * Another deployment of an already built manifest, without compiling again: a copy of `from` (graph
 * build's output directory: its manifest names the wasm, ABIs and schema by paths relative to
 * itself) whose subgraph.yaml is placed at this deployment's addresses and start blocks.
 */
export function deriveBuild(from: SubgraphBuild, options: Omit<SubgraphBuildOptions, 'codegen'>): SubgraphBuild {
  const dataSources = networkConfig(options, path.join(path.dirname(path.resolve(options.manifest)), 'networks.json'));
  const buildDir = buildDirOf(path.resolve(options.workDir), options);
  const manifestFile = path.join(buildDir, 'subgraph.yaml');
  fs.rmSync(buildDir, { recursive: true, force: true });
  fs.cpSync(from.buildDir, buildDir, { recursive: true });
  fs.writeFileSync(manifestFile, placeBuiltManifest(fs.readFileSync(manifestFile, 'utf8'), options.network, dataSources, manifestFile));
  options.log?.(`${path.basename(options.manifest)} for ${path.basename(buildDir).slice('build-'.length)}: the same build, at this deployment's addresses`);
  return { buildDir };
}

/**
 * Builds every deployment, in order, compiling each distinct manifest once: the first deployment of a
 * manifest runs graph codegen + graph build, the others are derived from its output (deriveBuild).
 * One build directory per deployment, in `targets` order.
 */
export async function buildSubgraphs(
  targets: Pick<SubgraphBuildOptions, 'name' | 'manifest' | 'instance' | 'dataSources'>[],
  options: Pick<SubgraphBuildOptions, 'network' | 'workDir' | 'log'>,
): Promise<SubgraphBuild[]> {
  const compiled = new Map<string, SubgraphBuild>();
  const builds: SubgraphBuild[] = [];
  for (const target of targets) {
    const manifest = path.resolve(target.manifest);
    const first = compiled.get(manifest);
    const build = first ? deriveBuild(first, { ...options, ...target }) : await buildSubgraph({ ...options, ...target });
    if (!first) compiled.set(manifest, build);
    builds.push(build);
  }
  return builds;
}
