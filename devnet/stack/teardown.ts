/**
 * Stops what was started, newest first, exactly once, and never throws: a failure while stopping one
 * component must not leave the others running.
 */
export class Teardown {
  private readonly steps: { name: string; stop: () => Promise<void> | void }[] = [];
  private running: Promise<void> | undefined;

  /** Registers a started component. Once stopping has begun, a late arrival is stopped at once. */
  add(name: string, stop: () => Promise<void> | void): void {
    if (this.running) {
      void Promise.resolve()
        .then(stop)
        .catch(() => undefined);
      throw new Error(`stack is stopping: ${name} was stopped right after it started`);
    }
    this.steps.push({ name, stop });
  }

  get stopping(): boolean {
    return this.running !== undefined;
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
