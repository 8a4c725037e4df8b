// Per-document debounced analysis. A newer version of a document cancels the pending run for an
// older one; a run that finishes after a newer version arrived is dropped by its caller. A run is
// pending until it settles, so a status read while one is under way does not say idle (and a
// premature "idle" cannot hide the real one: `onSettled` reports after each run).
export class AnalysisScheduler {
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly versions = new Map<string, number>();
  private running = 0;

  constructor(
    private readonly run: (uri: string, version: number) => Promise<void>,
    private readonly onSettled?: () => void,
  ) {}

  /** Schedules `uri` at `version` after `delayMs`, replacing any pending run for it. */
  schedule(uri: string, version: number, delayMs: number): void {
    this.versions.set(uri, version);
    const pending = this.timers.get(uri);
    if (pending) clearTimeout(pending);
    const timer = setTimeout(() => {
      this.timers.delete(uri);
      this.running++;
      void this.run(uri, version).finally(() => {
        this.running--;
        this.onSettled?.();
      });
    }, delayMs);
    this.timers.set(uri, timer);
  }

  /** True while `version` is the newest one scheduled for `uri`. */
  isCurrent(uri: string, version: number): boolean {
    return this.versions.get(uri) === version;
  }

  /** Runs scheduled or under way. */
  get pending(): number {
    return this.timers.size + this.running;
  }

  cancel(uri: string): void {
    const pending = this.timers.get(uri);
    if (pending) clearTimeout(pending);
    this.timers.delete(uri);
    this.versions.delete(uri);
  }

  dispose(): void {
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
  }
}
