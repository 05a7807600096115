import { LIMITS } from '@nomades/shared';

/**
 * Client side of the server's per-socket rate limit (a token bucket of LIMITS.requestsPerSecond,
 * burst LIMITS.requestBurst): requests wait for a token here, in call order, so that joining a
 * busy room (a consume and a resume per remote producer) is paced instead of refused. The client
 * bucket is smaller than the server's so that network jitter cannot bunch requests past it.
 */
export class RequestPacer {
  private readonly rate: number;
  private readonly burst: number;
  private tokens: number;
  private last = Date.now();
  private queue: Promise<void> = Promise.resolve();

  constructor(rate = LIMITS.requestsPerSecond * 0.8, burst = Math.floor(LIMITS.requestBurst / 2)) {
    this.rate = rate;
    this.burst = burst;
    this.tokens = burst;
  }

  /** Resolves when the next request may be sent. */
  take(): Promise<void> {
    const turn = this.queue.then(() => this.wait());
    this.queue = turn;
    return turn;
  }

  private async wait(): Promise<void> {
    this.refill();
    if (this.tokens < 1) {
      await new Promise((resolve) => setTimeout(resolve, Math.ceil(((1 - this.tokens) / this.rate) * 1000)));
      this.refill();
    }
    this.tokens -= 1;
  }

  private refill(): void {
    const now = Date.now();
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) / 1000) * this.rate);
    this.last = now;
  }
}
