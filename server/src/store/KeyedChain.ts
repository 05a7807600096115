/**
 * Async steps run one after the other per key (a document, a recording), in the order they were
 * asked: with an asynchronous store, a check and the write it allows see nothing of the same key
 * between them, as when the store was synchronous. A step that fails does not stop the next one.
 * A key with nothing in flight is forgotten.
 */
export class KeyedChain {
  readonly #tails = new Map<string, Promise<void>>();

  /** Runs `step` after the steps of `key` asked before it; answers its own outcome. */
  run<T>(key: string, step: () => Promise<T>): Promise<T> {
    const run = (this.#tails.get(key) ?? Promise.resolve()).then(step);
    const settled = run.then(
      () => undefined,
      () => undefined,
    );
    this.#tails.set(key, settled);
    void settled.then(() => {
      if (this.#tails.get(key) === settled) this.#tails.delete(key);
    });
    return run;
  }

  /** Resolves once the steps of `key` asked so far have ended (never rejects). */
  idle(key: string): Promise<void> {
    return this.#tails.get(key) ?? Promise.resolve();
  }

  /** Resolves once every step asked so far has ended (never rejects). */
  async allIdle(): Promise<void> {
    await Promise.all(this.#tails.values());
  }
}
