import type { Logger } from '../logging/logger.js';

/** Where a background failure is also reported (the server's FaultLog, for `/healthz`). */
export interface FaultSink {
  record(source: string, error: unknown, context?: Record<string, unknown>): void;
}

/** What `CollabServer.storeHealth` says. */
export interface StoreHealthReport {
  /** False while a loaded document has changes the store could not write (COL-14). */
  ok: boolean;
  /** Documents whose last write failed. */
  failing: string[];
  /** Store failures since start, and by operation. */
  failures: number;
  byOp: Record<StoreOp, number>;
  last: { doc: string; op: StoreOp; message: string; at: string } | null;
}

export type StoreOp = 'append' | 'compact' | 'load';

/**
 * Failures of the collab store (COL-14): a write that runs from Hocuspocus' debounce timer, an
 * unload or an update listener has nobody to answer, so it is caught here, logged with the
 * document, counted, sent to the FaultLog, and the document stays marked until a compaction of
 * it succeeds (the whole in-memory state is then on disk again). Never throws.
 */
export class StoreHealth {
  readonly #failing = new Set<string>();
  #failures = 0;
  readonly #byOp: Record<StoreOp, number> = { append: 0, compact: 0, load: 0 };
  #last: StoreHealthReport['last'] = null;

  constructor(
    private readonly log: Logger,
    private readonly faults?: FaultSink,
  ) {}

  /** Runs a store operation of `doc`; a throw or rejection is recorded and returned as false. */
  async run(doc: string, op: StoreOp, fn: () => void | Promise<void>): Promise<boolean> {
    try {
      await fn();
      if (op === 'compact') this.#failing.delete(doc);
      return true;
    } catch (error) {
      this.#record(doc, op, error);
      return false;
    }
  }

  /** True while `doc` has changes that may exist in memory only. */
  isFailing(doc: string): boolean {
    return this.#failing.has(doc);
  }

  /** Forgets an unloaded document (whose data is stored). */
  forget(doc: string): void {
    this.#failing.delete(doc);
  }

  get report(): StoreHealthReport {
    return { ok: this.#failing.size === 0, failing: [...this.#failing], failures: this.#failures, byOp: { ...this.#byOp }, last: this.#last };
  }

  #record(doc: string, op: StoreOp, error: unknown): void {
    try {
      const message = (error instanceof Error ? error.message : String(error)).slice(0, 300);
      this.#failures += 1;
      this.#byOp[op] += 1;
      if (op !== 'load') this.#failing.add(doc);
      this.#last = { doc, op, message, at: new Date().toISOString() };
      this.log.error({ err: error, doc, op }, `collab store ${op} failed; the document stays in memory and is written at its next compaction`);
      this.faults?.record('collab.store', error, { doc, op });
    } catch {
      // Recording a failure must not become one.
    }
  }
}
