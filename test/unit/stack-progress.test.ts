import { formatProgress, ProgressLine, type ProgressLineOptions } from '../../devnet/cli/progress';
import type { SyncProgress } from '../../devnet/stack/indexing-status';

const at = (latestBlock: number, more: Partial<SyncProgress> = {}): SyncProgress => ({
  latestBlock,
  targetBlock: 400,
  deployments: 4,
  atTarget: latestBlock >= 400 ? 4 : 1,
  blocksPerSecond: 31.25,
  eventsPerSecond: 312.4,
  ...more,
});

/** A progress line writing into a string, on a clock the test moves. */
function harness(options: Partial<ProgressLineOptions> & { tty: boolean }) {
  let out = '';
  let clock = 0;
  const line = new ProgressLine({ write: (t) => (out += t), now: () => clock, render: (p) => `block ${p.latestBlock}`, ...options });
  return { line, output: () => out, advance: (ms: number) => (clock += ms) };
}

describe('progress line content', () => {
  it('says which block of which, how many subgraphs are there, and the rates', () => {
    expect(formatProgress(at(208))).toBe('indexing: block 208 of 400, 1 of 4 subgraphs synced, 31.3 blocks/s, 312 events/s');
  });

  it('leaves out events/s when graph-node exposes no handler metrics', () => {
    expect(formatProgress(at(400, { eventsPerSecond: null }))).toBe('indexing: block 400 of 400, 4 of 4 subgraphs synced, 31.3 blocks/s');
  });
});

describe('progress line without a terminal (log file, CI)', () => {
  it('prints the first report, then at most one per interval, and always the final one', () => {
    const { line, output, advance } = harness({ tty: false, intervalMs: 5000 });
    // Reports every 500 ms, as waitForSync polls: 0 ms, 500 ms, ..., 6000 ms, then the head at 6200 ms.
    for (let block = 0; block <= 12; block++) {
      line.update(at(block * 10));
      advance(500);
    }
    advance(-300);
    line.update(at(400));
    expect(output()).toBe('block 0\nblock 100\nblock 400\n');
    expect(output()).not.toMatch(/\r|\x1b/);
  });

  it('prints a held-back report when the line ends early (Ctrl-C, a failure), once', () => {
    const { line, output, advance } = harness({ tty: false });
    line.update(at(10));
    advance(1000);
    line.update(at(20));
    expect(output()).toBe('block 10\n');
    line.end();
    line.end();
    expect(output()).toBe('block 10\nblock 20\n');
  });

  it('counts the interval from the last line printed, held-back ones included', () => {
    const { line, output, advance } = harness({ tty: false, intervalMs: 5000 });
    line.update(at(10));
    advance(4000);
    line.update(at(20));
    line.end(); // prints "block 20" at 4000 ms
    advance(2000);
    line.update(at(30)); // 2 s after that: held back
    advance(3000);
    line.update(at(40)); // 5 s after it: printed
    expect(output()).toBe('block 10\nblock 20\nblock 40\n');
  });
});

describe('progress line on a terminal', () => {
  it('redraws one line in place and ends it with a newline at the target block', () => {
    const { line, output } = harness({ tty: true });
    line.update(at(10));
    line.update(at(20));
    expect(output()).toBe('\r\x1b[2Kblock 10\r\x1b[2Kblock 20');
    line.update(at(400));
    expect(output()).toBe('\r\x1b[2Kblock 10\r\x1b[2Kblock 20\r\x1b[2Kblock 400\n');
    line.end();
    expect(output().endsWith('block 400\n')).toBe(true);
  });

  it('ends an open line before other output, and only then', () => {
    const { line, output } = harness({ tty: true });
    line.end();
    expect(output()).toBe('');
    line.update(at(10));
    line.end();
    line.end();
    expect(output()).toBe('\r\x1b[2Kblock 10\n');
  });

  it('cuts the line to the terminal width, so that it never wraps', () => {
    const { line, output } = harness({ tty: true, columns: 8, render: () => 'indexing: block 10 of 400' });
    line.update(at(10));
    expect(output()).toBe('\r\x1b[2Kindexin');
  });
});
