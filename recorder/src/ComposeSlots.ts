/**
 * COMP-7: the compositions of every session a recorder runs share a few slots
 * (RECORDER_COMPOSE_SLOTS, default 1: one composition keeps these 2 cores busy). A window of a
 * recorded room waits for a slot in arrival order instead of slowing the others down without
 * bound, and is told its place while it waits (the recording's `queuePosition`).
 */
export class ComposeSlots {
  readonly #size: number;
  #busy = 0;
  readonly #waiting: Array<{ start: () => void; place: (ahead: number) => void }> = [];

  constructor(size: number) {
    if (!Number.isInteger(size) || size < 1) throw new RangeError('at least one composition slot');
    this.#size = size;
  }

  /** Compositions waiting for a slot now. */
  get waiting(): number {
    return this.#waiting.length;
  }

  /**
   * Resolves with `release` once a slot is free. While it waits, `onPlace(ahead)` hears how many
   * compositions are before it (at once, then each time the queue moves).
   */
  acquire(onPlace: (ahead: number) => void = () => undefined): Promise<() => void> {
    return new Promise((resolve) => {
      const start = () => {
        this.#busy++;
        let released = false;
        resolve(() => {
          if (released) return;
          released = true;
          this.#busy--;
          this.#next();
        });
      };
      if (this.#busy < this.#size) return start();
      this.#waiting.push({ start, place: onPlace });
      onPlace(this.#waiting.length - 1 + this.#busy);
    });
  }

  #next(): void {
    const first = this.#waiting.shift();
    if (!first) return;
    first.start();
    this.#waiting.forEach((w, i) => w.place(i + this.#busy));
  }
}
