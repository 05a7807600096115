/**
 * SPAN-2: what the home knows of a producer's or consumer's state on the annex: paused or not,
 * closed or not, as the shard's answers and events tell it (RemoteMediaPeer keeps it).
 */
export abstract class RemoteEnd {
  #paused: boolean;
  #closed = false;

  protected constructor(paused: boolean) {
    this.#paused = paused;
  }

  get paused(): boolean {
    return this.#paused;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** The shard paused or resumed it. */
  setPaused(paused: boolean): void {
    if (!this.#closed) this.#paused = paused;
  }

  /** The shard closed it (or its participant is gone); true if it was open. */
  markClosed(): boolean {
    if (this.#closed) return false;
    this.#closed = true;
    return true;
  }
}
