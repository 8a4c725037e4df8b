// Per-document debounced analysis. A newer version of a document cancels the pending run for an
// older one; a run that finishes after a newer version arrived is dropped by its caller.
export class AnalysisScheduler {
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly versions = new Map<string, number>();

  constructor(private readonly run: (uri: string, version: number) => Promise<void>) {}

  /** Schedules `uri` at `version` after `delayMs`, replacing any pending run for it. */
  schedule(uri: string, version: number, delayMs: number): void {
    this.versions.set(uri, version);
    const pending = this.timers.get(uri);
    if (pending) clearTimeout(pending);
    const timer = setTimeout(() => {
      this.timers.delete(uri);
      void this.run(uri, version);
    }, delayMs);
    this.timers.set(uri, timer);
  }

  /** True while `version` is the newest one scheduled for `uri`. */
  isCurrent(uri: string, version: number): boolean {
    return this.versions.get(uri) === version;
  }

  get pending(): number {
    return this.timers.size;
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
