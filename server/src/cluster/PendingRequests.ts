import { AppError } from '@nomades/shared';

interface Pending {
  resolve: (data: unknown) => void;
  reject: (error: AppError) => void;
  timer: NodeJS.Timeout;
}

/**
 * The requests one node link connection sent and the other node has not answered yet: each
 * rejects with UNAVAILABLE at its timeout, and all of them at once when the connection goes.
 */
export class PendingRequests {
  readonly #pending = new Map<number, Pending>();
  #nextId = 1;

  get size(): number {
    return this.#pending.size;
  }

  /** A new request id and the promise of its answer. */
  add(timeoutMs: number, what: string): { id: number; answer: Promise<unknown> } {
    const id = this.#nextId++;
    const answer = new Promise<unknown>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(id);
        reject(new AppError('UNAVAILABLE', `${what}: no answer within ${timeoutMs} ms`));
      }, timeoutMs);
      this.#pending.set(id, { resolve, reject, timer });
    });
    return { id, answer };
  }

  /** The answer to request `id` (ignored when it timed out meanwhile, or was never asked). */
  settle(id: number, outcome: { data: unknown } | { error: AppError }): boolean {
    const pending = this.#pending.get(id);
    if (!pending) return false;
    this.#pending.delete(id);
    clearTimeout(pending.timer);
    if ('error' in outcome) pending.reject(outcome.error);
    else pending.resolve(outcome.data);
    return true;
  }

  rejectAll(error: AppError): void {
    const all = [...this.#pending.values()];
    this.#pending.clear();
    for (const pending of all) {
      clearTimeout(pending.timer);
      pending.reject(error);
    }
  }
}
