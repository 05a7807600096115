import { RESUME_LIMITS } from '@nomades/shared';

/**
 * Delays between reconnection attempts (SIG-16): doubling from `minMs` up to `maxMs`, each one
 * spread by ±`jitter` so that the clients of a restarted server do not all come back at once.
 */
export class Backoff {
  private attempt = 0;

  constructor(
    private readonly minMs: number = RESUME_LIMITS.reconnectMinMs,
    private readonly maxMs: number = RESUME_LIMITS.reconnectMaxMs,
    private readonly jitter = 0.5,
    private readonly random: () => number = Math.random,
  ) {}

  /** The delay before the next attempt. */
  next(): number {
    const base = Math.min(this.maxMs, this.minMs * 2 ** this.attempt);
    this.attempt += 1;
    const spread = base * this.jitter * (2 * this.random() - 1);
    return Math.max(0, Math.round(Math.min(this.maxMs, base + spread)));
  }

  reset(): void {
    this.attempt = 0;
  }
}
