/**
 * Stops what was started, newest first, exactly once, and never throws: a failure while stopping one
 * component must not leave the others running.
 */
export class Teardown {
  private readonly steps: { name: string; stop: () => Promise<void> | void; pid?: number | (() => number | undefined) }[] = [];
  private running: Promise<void> | undefined;

  /**
   * Registers a started component. Once stopping has begun, a late arrival is stopped at once.
   * `pid` names the component's process group (child processes spawned detached), so that
   * killGroupsSync() can still end it when there is no time left for an orderly stop.
   */
  add(name: string, stop: () => Promise<void> | void, pid?: number | (() => number | undefined)): void {
    if (this.running) {
      void Promise.resolve()
        .then(stop)
        .catch(() => undefined);
      throw new Error(`stack is stopping: ${name} was stopped right after it started`);
    }
    this.steps.push({ name, stop, pid });
  }

  /** Process groups of the components still registered. */
  pids(): number[] {
    // A component that restarts (the gateway) names its current group through a function.
    return this.steps.flatMap((s) => {
      const pid = typeof s.pid === 'function' ? s.pid() : s.pid;
      return pid === undefined ? [] : [pid];
    });
  }

  /**
   * Last resort, synchronous (usable in a process 'exit' handler): SIGKILL every registered process
   * group. An orderly run() has usually stopped them already; killing a gone group is harmless.
   */
  killGroupsSync(): void {
    for (const pid of this.pids()) {
      try {
        process.kill(-pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  }

  run(log: (line: string) => void = () => undefined): Promise<void> {
    this.running ??= (async () => {
      for (const step of this.steps.reverse()) {
        try {
          await step.stop();
        } catch (err) {
          log(`stopping ${step.name} failed: ${(err as Error).message}`);
        }
      }
    })();
    return this.running;
  }
}
