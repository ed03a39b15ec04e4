// Loads Hardhat artifacts of the real Aave V3.0 contracts (@aave/core-v3@1.19.3) and links libraries.
import fs from 'node:fs';
import path from 'node:path';
import type { Abi, Address, Hex } from 'viem';

export interface LinkReferences {
  [sourceName: string]: { [libraryName: string]: { start: number; length: number }[] };
}

export interface Artifact {
  contractName: string;
  sourceName: string;
  abi: Abi;
  bytecode: Hex;
  linkReferences: LinkReferences;
}

let index: Map<string, string> | undefined;

function artifactsRoot(): string {
  return path.join(path.dirname(require.resolve('@aave/core-v3/package.json')), 'artifacts');
}

/** contractName -> artifact file; built once by walking artifacts/ (debug files excluded). */
function artifactIndex(): Map<string, string> {
  if (index) return index;
  const found = new Map<string, string>();
  const walk = (dir: string) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) {
        if (e.name !== 'build-info') walk(p);
      } else if (e.name.endsWith('.json') && !e.name.endsWith('.dbg.json')) {
        const name = e.name.slice(0, -5);
        // Names are unique in this package except for interfaces shadowed by nothing we deploy;
        // prefer the first (contracts/ before dependencies/ does not matter for the ones we use).
        if (!found.has(name)) found.set(name, p);
      }
    }
  };
  walk(artifactsRoot());
  index = found;
  return found;
}

const cache = new Map<string, Artifact>();

export function loadArtifact(contractName: string): Artifact {
  const hit = cache.get(contractName);
  if (hit) return hit;
  const file = artifactIndex().get(contractName);
  if (!file) throw new Error(`no artifact named ${contractName} in @aave/core-v3/artifacts`);
  const a = JSON.parse(fs.readFileSync(file, 'utf8')) as Artifact;
  const art: Artifact = {
    contractName: a.contractName,
    sourceName: a.sourceName,
    abi: a.abi,
    bytecode: a.bytecode,
    linkReferences: a.linkReferences ?? {},
  };
  cache.set(contractName, art);
  return art;
}

/** Library names an artifact needs linked, e.g. Pool -> [BorrowLogic, BridgeLogic, ...]. */
export function requiredLibraries(art: Artifact): string[] {
  return Object.values(art.linkReferences).flatMap((libs) => Object.keys(libs));
}

/**
 * Replaces the `__$hash$__` placeholders by library addresses at the byte offsets given in
 * linkReferences (offsets count bytes of the creation code, after the 0x prefix).
 */
export function linkBytecode(art: Artifact, libraries: Record<string, Address>): Hex {
  let code = art.bytecode.slice(2);
  for (const libs of Object.values(art.linkReferences)) {
    for (const [lib, refs] of Object.entries(libs)) {
      const addr = libraries[lib];
      if (!addr) throw new Error(`${art.contractName} needs library ${lib} linked`);
      const hex = addr.toLowerCase().slice(2);
      for (const { start, length } of refs) {
        if (length !== 20) throw new Error(`unexpected link length ${length} in ${art.contractName}`);
        code = code.slice(0, start * 2) + hex + code.slice((start + length) * 2);
      }
    }
  }
  if (code.includes('__$')) throw new Error(`${art.contractName} still has unlinked placeholders`);
  return `0x${code}`;
}

/**
 * Libraries in deployment order for the given contracts: a library comes after the libraries it
 * links itself (FlashLoanLogic links BorrowLogic). `load` lets the v3.6 build (compiled from
 * source, devnet/aave-v36/compile.ts) reuse this.
 */
export function libraryDeployOrder(contractNames: string[], load: (name: string) => Artifact = loadArtifact): string[] {
  const order: string[] = [];
  const visit = (lib: string, stack: string[]) => {
    if (order.includes(lib)) return;
    if (stack.includes(lib)) throw new Error(`library cycle: ${[...stack, lib].join(' -> ')}`);
    for (const dep of requiredLibraries(load(lib))) visit(dep, [...stack, lib]);
    order.push(lib);
  };
  for (const c of contractNames) for (const lib of requiredLibraries(load(c))) visit(lib, [c]);
  return order;
}
