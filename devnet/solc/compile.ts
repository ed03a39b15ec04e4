// Compiles Solidity offline with a solcjs version installed under an npm alias (e.g. "solc-0819":
// "npm:solc@0.8.19") and caches abi + bytecode + link references under .cache/<name>/<key>/.
//
// Generic on purpose: each protocol (Morpho Blue, Aave V3.6, ...) states its entry sources,
// compiler package, settings and remappings; this module does the import closure, the cache key,
// the compile and the cache.
//
// The cache key hashes the compiler version, the settings and the content of every source in the
// import closure, so editing a dependency or a setting recompiles and nothing else does.
// solcjs needs hundreds of MB and seconds to minutes: it runs in a child process, so the caller's
// heap (jest, the stack launcher) never holds the compiler.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Abi } from 'viem';
import type { Artifact } from '../aave-v3/artifacts';

export type { Artifact };

export const REPO_ROOT = path.resolve(__dirname, '../..');
export const CACHE_DIR = path.join(REPO_ROOT, '.cache');

export interface SolcJob {
  /** cache folder under .cache/, e.g. "morpho-blue" */
  name: string;
  /** npm (alias) package of solcjs, e.g. "solc-0819" */
  solcPackage: string;
  /**
   * Source unit names to compile; imports are followed. A unit resolves relative to the repository
   * root if that file exists (the devnet's own .sol files), else to node_modules.
   */
  entries: readonly string[];
  /** solc standard-JSON settings without outputSelection (added here) and remappings */
  settings: Record<string, unknown>;
  /** [prefix, target] pairs, targets relative to node_modules */
  remappings?: readonly (readonly [string, string])[];
}

export interface SolcBuild {
  key: string;
  compiler: string;
  /** "source:Name" -> artifact (interfaces and libraries included) */
  contracts: Record<string, Artifact>;
}

const OUTPUT_SELECTION = { '*': { '*': ['abi', 'evm.bytecode.object', 'evm.bytecode.linkReferences'] } };

export function nodeModulesDir(): string {
  return path.join(REPO_ROOT, 'node_modules');
}

/** File path of a source unit: the repository's own file if present, else node_modules. */
export function unitPath(unit: string): string {
  const local = path.join(REPO_ROOT, unit);
  return fs.existsSync(local) ? local : path.join(nodeModulesDir(), unit);
}

function remap(spec: string, remappings: SolcJob['remappings'] = []): string {
  for (const [prefix, target] of remappings) if (spec.startsWith(prefix)) return target + spec.slice(prefix.length);
  return spec;
}

/** All source units reachable from the entries, with contents. Relative imports resolve as solc does. */
export function collectSources(job: Pick<SolcJob, 'entries' | 'remappings'>): Record<string, { content: string }> {
  const out: Record<string, { content: string }> = {};
  const queue = [...job.entries];
  const importRe = /\bimport\s+(?:[^'";]*?\s+from\s+)?['"]([^'"]+)['"]\s*;/gs;
  while (queue.length) {
    const unit = queue.pop()!;
    if (out[unit]) continue;
    const content = fs.readFileSync(unitPath(unit), 'utf8');
    out[unit] = { content };
    for (const m of content.matchAll(importRe)) {
      const spec = m[1];
      queue.push(spec.startsWith('.') ? path.posix.normalize(path.posix.join(path.posix.dirname(unit), spec)) : remap(spec, job.remappings));
    }
  }
  return out;
}

export function solcVersion(solcPackage: string): string {
  return (JSON.parse(fs.readFileSync(path.join(nodeModulesDir(), solcPackage, 'package.json'), 'utf8')) as { version: string }).version;
}

function fullSettings(job: SolcJob) {
  return {
    ...job.settings,
    ...(job.remappings?.length ? { remappings: job.remappings.map(([a, b]) => `${a}=${b}`) } : {}),
    outputSelection: OUTPUT_SELECTION,
  };
}

export function cacheKey(job: SolcJob, sources: Record<string, { content: string }>): string {
  const h = createHash('sha256');
  h.update(`solc ${solcVersion(job.solcPackage)}\n${JSON.stringify(fullSettings(job))}\n`);
  for (const name of Object.keys(sources).sort()) h.update(`${name}\n${createHash('sha256').update(sources[name].content).digest('hex')}\n`);
  return h.digest('hex').slice(0, 16);
}

// The child compiles. Every source is passed inline, so no import callback is needed; a missing
// one shows up as a solc "File not found" error naming it.
const CHILD = `
const fs = require('fs');
const [inFile, outFile, solcPath] = process.argv.slice(1);
const solc = require(solcPath);
fs.writeFileSync(outFile, solc.compile(fs.readFileSync(inFile, 'utf8')));
`;

async function runSolc(solcPackage: string, input: object, dir: string): Promise<any> {
  const inFile = path.join(dir, `input-${process.pid}.json`);
  const outFile = path.join(dir, `output-${process.pid}.json`);
  fs.writeFileSync(inFile, JSON.stringify(input));
  try {
    await new Promise<void>((resolve, reject) => {
      const child = spawn(process.execPath, ['-e', CHILD, inFile, outFile, path.join(nodeModulesDir(), solcPackage)], {
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      let err = '';
      child.stderr.on('data', (d: Buffer) => (err = (err + d.toString()).slice(-4000)));
      child.once('error', reject);
      child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`solc child exited with ${code}: ${err}`))));
    });
    return JSON.parse(fs.readFileSync(outFile, 'utf8'));
  } finally {
    fs.rmSync(inFile, { force: true });
    fs.rmSync(outFile, { force: true });
  }
}

const memo = new Map<string, SolcBuild>();

/** The build: from memory, else from .cache/<name>/<key>/artifacts.json, else compiled (and cached). */
export async function compileCached(job: SolcJob, log: (m: string) => void = () => {}): Promise<SolcBuild> {
  const sources = collectSources(job);
  const key = cacheKey(job, sources);
  const dir = path.join(CACHE_DIR, job.name, key);
  const hit = memo.get(dir);
  if (hit) return hit;
  const file = path.join(dir, 'artifacts.json');
  if (fs.existsSync(file)) {
    const build = JSON.parse(fs.readFileSync(file, 'utf8')) as SolcBuild;
    memo.set(dir, build);
    return build;
  }

  const t0 = Date.now();
  const compiler = solcVersion(job.solcPackage);
  log(`compiling ${job.name} (${Object.keys(sources).length} sources, solc ${compiler}); cached afterwards in ${dir}`);
  fs.mkdirSync(dir, { recursive: true });
  const output = await runSolc(job.solcPackage, { language: 'Solidity', sources, settings: fullSettings(job) }, dir);
  const errors = (output.errors ?? []).filter((e: { severity: string }) => e.severity === 'error');
  if (errors.length) throw new Error(`solc (${job.name}): ${errors.map((e: { formattedMessage: string }) => e.formattedMessage).join('\n')}`);
  const contracts: Record<string, Artifact> = {};
  for (const [sourceName, byName] of Object.entries<Record<string, any>>(output.contracts ?? {})) {
    for (const [contractName, c] of Object.entries<any>(byName)) {
      contracts[`${sourceName}:${contractName}`] = {
        contractName,
        sourceName,
        abi: c.abi as Abi,
        bytecode: `0x${c.evm.bytecode.object}`,
        linkReferences: c.evm.bytecode.linkReferences ?? {},
      };
    }
  }
  const build: SolcBuild = { key, compiler, contracts };
  // Temp file + rename: parallel test workers never read half a file.
  const tmp = path.join(dir, `artifacts.json.${process.pid}.tmp`);
  fs.writeFileSync(tmp, JSON.stringify(build));
  fs.renameSync(tmp, file);
  log(`compiled ${job.name} in ${Date.now() - t0} ms`);
  memo.set(dir, build);
  return build;
}

/** One artifact by contract name (or "source:Name" where the name is ambiguous). */
export function artifactOf(build: SolcBuild, name: string): Artifact {
  if (build.contracts[name]) return build.contracts[name];
  const hits = Object.values(build.contracts).filter((a) => a.contractName === name);
  if (hits.length !== 1) throw new Error(`solc build ${build.key}: ${hits.length} contracts named ${name}`);
  return hits[0];
}
