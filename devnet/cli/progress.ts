import type { SyncProgress } from '../stack/indexing-status';

/** `indexing: block X of Y, A of B subgraphs synced, N blocks/s, M events/s` (events/s when graph-node reports it). */
export function formatProgress(p: SyncProgress): string {
  return (
    `indexing: block ${p.latestBlock} of ${p.targetBlock}, ${p.atTarget} of ${p.deployments} subgraphs synced, ` +
    `${p.blocksPerSecond.toFixed(1)} blocks/s` +
    (p.eventsPerSecond === null ? '' : `, ${p.eventsPerSecond.toFixed(0)} events/s`)
  );
}

export interface ProgressLineOptions {
  /** A terminal: redraw one line in place. Otherwise (a log file, CI) print whole lines, throttled. */
  tty: boolean;
  write: (text: string) => void;
  /** The whole line for a progress report (e.g. with a time stamp); default formatProgress. */
  render?: (p: SyncProgress) => string;
  /** Terminal width: a redrawn line is cut to fit, since a wrapped line cannot be redrawn in place. */
  columns?: number;
  /** Without a terminal: at most one line per this many ms, besides the first and the final one. */
  intervalMs?: number;
  now?: () => number;
}

/**
 * Indexing progress that respects whoever reads it. On a terminal every report redraws one line
 * (`\r`, clear line); without one, the first report is printed, then at most one every `intervalMs`,
 * and always the final one (the target block reached). end() closes the line: call it before
 * printing anything else.
 */
export class ProgressLine {
  private readonly intervalMs: number;
  private readonly now: () => number;
  private readonly render: (p: SyncProgress) => string;
  /** Terminal: a line is drawn and not yet ended. */
  private drawn = false;
  /** No terminal: the latest report, when it was not printed. */
  private pending: string | undefined;
  private printedAt: number | undefined;

  constructor(private readonly options: ProgressLineOptions) {
    this.intervalMs = options.intervalMs ?? 5000;
    this.now = options.now ?? Date.now;
    this.render = options.render ?? formatProgress;
  }

  update(p: SyncProgress): void {
    const line = this.render(p);
    const final = p.latestBlock >= p.targetBlock;
    if (this.options.tty) {
      const width = this.options.columns ? this.options.columns - 1 : Infinity;
      this.options.write(`\r\x1b[2K${line.length > width ? line.slice(0, width) : line}`);
      this.drawn = true;
      if (final) this.end();
      return;
    }
    const now = this.now();
    if (final || this.printedAt === undefined || now - this.printedAt >= this.intervalMs) {
      this.options.write(`${line}\n`);
      this.printedAt = now;
      this.pending = undefined;
    } else {
      this.pending = line;
    }
  }

  /** Ends a redrawn line; without a terminal, prints the latest report if it was held back. */
  end(): void {
    if (this.drawn) this.options.write('\n');
    this.drawn = false;
    if (this.pending !== undefined) {
      this.options.write(`${this.pending}\n`);
      this.printedAt = this.now();
    }
    this.pending = undefined;
  }
}
