import type { types } from 'mediasoup';
import { MEDIA_LIMITS } from '@nomades/shared';
import type { ProducerAppData } from './MediaPeerTypes.js';

/**
 * MEDIA-3 (docs/spec/media.md): what a producer really sends, measured from the worker's byte
 * counters once per window; one above `bitrateTolerance` × its source's cap is reported to
 * `onExceeded` (MediaPeer closes it). The transport cap (MEDIA-2) only asks the sender's
 * congestion control to stay under it; this holds a sender that ignores it.
 */
export class BitrateGuard {
  readonly #producers = new Map<string, { producer: types.Producer<ProducerAppData>; bytes?: number; at?: number }>();
  readonly #onExceeded: (producer: types.Producer<ProducerAppData>, bitsPerSecond: number) => void;
  readonly #timer: NodeJS.Timeout;
  #sampling = false;
  #closed = false;

  constructor(onExceeded: (producer: types.Producer<ProducerAppData>, bitsPerSecond: number) => void, windowMs: number = MEDIA_LIMITS.bitrateWindowMs) {
    this.#onExceeded = onExceeded;
    this.#timer = setInterval(() => void this.#sample(), windowMs);
    this.#timer.unref();
  }

  watch(producer: types.Producer<ProducerAppData>): void {
    if (this.#closed) return;
    this.#producers.set(producer.id, { producer });
    producer.observer.once('close', () => this.#producers.delete(producer.id));
  }

  /** One measurement of every producer; a failed getStats (producer closing) is skipped. */
  async #sample(): Promise<void> {
    if (this.#sampling || this.#closed) return;
    this.#sampling = true;
    try {
      for (const entry of [...this.#producers.values()]) {
        const { producer } = entry;
        if (producer.closed) continue;
        const stats = await producer.getStats().catch(() => undefined);
        if (!stats || producer.closed || this.#closed) continue;
        const bytes = stats.reduce((sum, s) => sum + s.byteCount, 0);
        const at = performance.now();
        if (entry.bytes !== undefined && entry.at !== undefined && at > entry.at) {
          const bitsPerSecond = ((bytes - entry.bytes) * 8 * 1000) / (at - entry.at);
          const cap = MEDIA_LIMITS.maxBitrate[producer.appData.source];
          if (bitsPerSecond > cap * MEDIA_LIMITS.bitrateTolerance) this.#onExceeded(producer, bitsPerSecond);
        }
        entry.bytes = bytes;
        entry.at = at;
      }
    } finally {
      this.#sampling = false;
    }
  }

  /** Stops measuring. Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#timer);
    this.#producers.clear();
  }
}
