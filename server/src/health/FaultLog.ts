import type { Logger } from '../logging/logger.js';

/** How long a background failure keeps `/healthz` at `degraded`. */
export const FAULT_WINDOW_MS = 5 * 60_000;

export interface FaultSummary {
  count: number;
  lastAt: string;
  lastMessage: string;
}

/**
 * Where background failures go (SEC-7 in docs/security.md): a timer, a queue event, an event
 * listener that failed has nobody to answer, so it is logged here with its context and counted
 * by source, and `/healthz` says `degraded` while one is recent. Never throws.
 */
export class FaultLog {
  readonly #log: Logger;
  readonly #bySource = new Map<string, { count: number; lastAt: number; lastMessage: string }>();
  readonly #now: () => number;

  constructor(log: Logger, now: () => number = Date.now) {
    this.#log = log.child({ name: 'faults' });
    this.#now = now;
  }

  /** Records a failure of `source` (e.g. `collab.store`, `process.unhandledRejection`). */
  record(source: string, error: unknown, context: Record<string, unknown> = {}): void {
    try {
      const message = (error instanceof Error ? error.message : String(error)).slice(0, 300);
      const entry = this.#bySource.get(source) ?? { count: 0, lastAt: 0, lastMessage: '' };
      entry.count += 1;
      entry.lastAt = this.#now();
      entry.lastMessage = message;
      this.#bySource.set(source, entry);
      this.#log.error({ ...context, source, err: error }, `background failure in ${source}`);
    } catch {
      // A failure to record a failure must not become one.
    }
  }

  /** Wraps a background callback so that a throw or a rejection is recorded instead of escaping. */
  guard<A extends unknown[]>(source: string, fn: (...args: A) => unknown, context: Record<string, unknown> = {}): (...args: A) => void {
    return (...args: A) => {
      try {
        const result = fn(...args);
        if (result instanceof Promise) result.catch((error: unknown) => this.record(source, error, context));
      } catch (error) {
        this.record(source, error, context);
      }
    };
  }

  /** True while a failure happened within FAULT_WINDOW_MS. */
  get degraded(): boolean {
    const since = this.#now() - FAULT_WINDOW_MS;
    return [...this.#bySource.values()].some((e) => e.lastAt >= since);
  }

  /** Counts and last failure by source, for `/healthz`. */
  summary(): Record<string, FaultSummary> {
    return Object.fromEntries(
      [...this.#bySource].map(([source, e]) => [source, { count: e.count, lastAt: new Date(e.lastAt).toISOString(), lastMessage: e.lastMessage }]),
    );
  }
}
