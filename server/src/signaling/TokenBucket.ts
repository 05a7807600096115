/** Token bucket: `rate` tokens per second, at most `burst` saved up. */
export class TokenBucket {
  readonly #rate: number;
  readonly #burst: number;
  #tokens: number;
  #last: number;

  constructor(rate: number, burst: number, now = Date.now()) {
    this.#rate = rate;
    this.#burst = burst;
    this.#tokens = burst;
    this.#last = now;
  }

  /** Takes `count` tokens (one by default) if there are that many; otherwise takes none. */
  take(now = Date.now(), count = 1): boolean {
    this.#tokens = Math.min(this.#burst, this.#tokens + ((now - this.#last) / 1000) * this.#rate);
    this.#last = now;
    if (this.#tokens < count) return false;
    this.#tokens -= count;
    return true;
  }
}
