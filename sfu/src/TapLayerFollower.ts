import type { types } from 'mediasoup';

/**
 * How often a tap reads its producer's streams. A stream without a packet for this long has
 * stopped: even at 5 frames a second a flowing one gets two frames in it.
 */
export const TAP_LAYER_CHECK_MS = 500;

/**
 * REC-15 (recorder/README.md): a recording tap of a simulcast video follows the layers its sender
 * really sends.
 *
 * mediasoup gives a consumer without bandwidth estimation (the recorder's plain transport) the
 * highest stream whose score is not 0, and resets the score of a stream that stopped only at its
 * next inactivity check (every 1.5 s); the key frame of the next stream comes after that. So when
 * a sender drops its top layer (its bandwidth shrank: typically as it starts sharing its screen),
 * the tap forwarded nothing for 2–4 s, measured: seconds of that camera missing from the
 * recording (tests/integration/recordingTapLayers.test.ts, tests/e2e/span.browser.test.ts).
 *
 * Here the packet counter of each stream is read every `periodMs`: the consumer's preferred
 * spatial layer goes down at once to the highest stream that received packets in the last period
 * (mediasoup then switches and asks for a key frame of it), and back up once a higher stream has
 * flowed for two periods in a row. When nothing flows (the camera paused) the choice is kept.
 */
export class TapLayerFollower {
  readonly #producer: types.Producer;
  readonly #consumer: types.Consumer;
  readonly #timer: NodeJS.Timeout;
  /** Packets received so far per encoding (spatial layer), at the last reading. */
  #counts: number[] = [];
  /** Periods in a row each encoding has received packets. */
  #streaks: number[] = [];
  #preferred: number;
  #sampling = false;
  #closed = false;

  constructor(producer: types.Producer, consumer: types.Consumer, periodMs = TAP_LAYER_CHECK_MS) {
    this.#producer = producer;
    this.#consumer = consumer;
    this.#preferred = (producer.rtpParameters.encodings?.length ?? 1) - 1;
    this.#timer = setInterval(() => void this.#sample(), periodMs);
    this.#timer.unref();
  }

  /** The spatial layer the tap prefers now (the top one until a reading says otherwise). */
  get preferred(): number {
    return this.#preferred;
  }

  async #sample(): Promise<void> {
    if (this.#sampling || this.#closed) return;
    this.#sampling = true;
    try {
      const stats = await this.#producer.getStats().catch(() => undefined);
      if (!stats || this.#closed || this.#consumer.closed) return;
      // One stream per encoding, told apart by its SSRC (a piped producer) or its rid (a browser's).
      const counts = (this.#producer.rtpParameters.encodings ?? []).map((e) =>
        stats.filter((s) => (e.ssrc !== undefined && s.ssrc === e.ssrc) || (e.rid !== undefined && s.rid === e.rid)).reduce((n, s) => n + s.packetCount, 0),
      );
      const flowing = counts.map((c, i) => this.#counts[i] !== undefined && c > this.#counts[i]);
      this.#counts = counts;
      this.#streaks = flowing.map((f, i) => (f ? (this.#streaks[i] ?? 0) + 1 : 0));
      const top = flowing.lastIndexOf(true);
      if (top < 0) return;
      let target = this.#preferred;
      if (!flowing[target]) target = top;
      else for (let i = flowing.length - 1; i > target; i--) if (this.#streaks[i] >= 2) target = i;
      if (target === this.#preferred) return;
      this.#preferred = target;
      await this.#consumer.setPreferredLayers({ spatialLayer: target }).catch(() => undefined);
    } finally {
      this.#sampling = false;
    }
  }

  /** Stops reading. Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#timer);
  }
}
