/**
 * Concurrent calls for the same key share one promise while it runs (nothing is kept after it
 * settles). The handshake uses it for what a burst of joins to one room asks at once (the room's
 * record, its placement): 50 people entering a room together cost one database read and one
 * Redis script, not 50. Only for reads where an answer a few milliseconds old is as good.
 */
export class SingleFlight<V> {
  readonly #running = new Map<string, Promise<V>>();

  run(key: string, work: () => Promise<V>): Promise<V> {
    const running = this.#running.get(key);
    if (running) return running;
    const started = work().finally(() => this.#running.delete(key));
    this.#running.set(key, started);
    return started;
  }

  /** Calls in flight (for tests). */
  get size(): number {
    return this.#running.size;
  }
}
