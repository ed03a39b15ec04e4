/**
 * A recording of the gateway against the real devnet stack (bench/replay/record.ts): every subgraph
 * HTTP request the gateway made and graph-node's answer, for a cold protocol-wide query at block
 * `base`, a head update at `base + 1` and a warm repeat; the gateway's own answers; and a snapshot
 * of the entities those requests read (at `base` in full, at `base + 1` the rows changed in that
 * block), which the replay server serves from memory.
 */
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';

export type Phase = 'cold' | 'head' | 'warm';

export interface Exchange {
  phase: Phase;
  request: { query: string; variables?: Record<string, unknown> };
  /** graph-node's HTTP status and JSON body, verbatim. */
  status: number;
  response: { data?: Record<string, unknown>; errors?: { message: string }[] };
}

export type Row = Record<string, unknown> & { id: string };

export interface BlockSnapshot {
  number: number;
  /** graph-node's `_meta` answer with the head at this block (`{ block { ... } hasIndexingErrors }`). */
  meta: Record<string, unknown>;
  /**
   * Entity type name -> rows. At `base`: every row of the type at that block. At `base + 1`: only the
   * rows written in that block (graph-node's `_change_block: { number_gte: base + 1 }`).
   */
  rows: Record<string, Row[]>;
}

export interface Recording {
  format: 'baddebt-replay/1';
  recordedAt: string;
  /** How the stack was set up (accounts, seed, protocols, graph-node build). */
  source: Record<string, unknown>;
  /** The gateway endpoint name the protocol was served under. */
  endpoint: string;
  /** The protocol-wide query sent to the gateway in each phase. */
  gatewayQuery: string;
  exchanges: Exchange[];
  /** The gateway's answers over the real graph-node (a replay at one clone must reproduce them). */
  gatewayAnswers: Record<Phase, { data: unknown; subgraphRequests: number }>;
  /** What changed on chain in the head-update block. */
  headUpdate: { txs: number; positionsChanged: number; accountsChanged: number };
  base: BlockSnapshot;
  head: BlockSnapshot;
}

export const DEFAULT_RECORDING = path.resolve(__dirname, 'recordings', 'aave-v3.0-1000.json.gz');

export function writeRecording(file: string, recording: Recording): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const text = JSON.stringify(recording);
  fs.writeFileSync(file, file.endsWith('.gz') ? zlib.gzipSync(text, { level: 9 }) : text);
}

export function readRecording(file: string): Recording {
  const raw = fs.readFileSync(file);
  const recording = JSON.parse((file.endsWith('.gz') ? zlib.gunzipSync(raw) : raw).toString('utf8')) as Recording;
  if (recording.format !== 'baddebt-replay/1') throw new Error(`${file} is not a replay recording (format ${String(recording.format)})`);
  return recording;
}
