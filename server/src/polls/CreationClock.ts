/**
 * Creation times strictly increasing in one room (polls, questions): the store sorts by them, so
 * the order things were created survives a reload even within one millisecond.
 */
export class CreationClock {
  #last = 0;

  /** A time read back from the store: the next one comes after it. */
  saw(time: number): void {
    this.#last = Math.max(this.#last, time);
  }

  /** `now`, or just after the last time given or seen. */
  next(now: number): number {
    this.#last = Math.max(now, this.#last + 1);
    return this.#last;
  }
}
