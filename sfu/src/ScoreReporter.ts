import type { types } from 'mediasoup';
import { MEDIA_LIMITS } from '@nomades/shared';
import type { ConsumerAppData, MediaScores, ProducerAppData } from './MediaPeerTypes.js';

/**
 * MEDIA-4 (docs/spec/media.md): the transmission scores (0…10) mediasoup computes for one peer's
 * producers (its uplink, as the SFU receives it) and consumers (its downlink, with the score of
 * the producer behind it), coalesced: what changed is reported at most once per
 * `intervalMs`, the latest value of each, so that a flapping network costs one message per
 * interval. A producer's score is the best of its encodings (simulcast layers the sender
 * dropped under congestion do not make its uplink bad).
 */
export class ScoreReporter {
  readonly #producers = new Map<string, number>();
  readonly #consumers = new Map<string, { producerId: string; score: number; producerScore: number }>();
  readonly #dirtyProducers = new Set<string>();
  readonly #dirtyConsumers = new Set<string>();
  readonly #onReport: (scores: MediaScores) => void;
  readonly #intervalMs: number;
  #timer: NodeJS.Timeout | null = null;
  #lastReport = -Infinity;
  #closed = false;

  constructor(onReport: (scores: MediaScores) => void, intervalMs: number = MEDIA_LIMITS.scoreIntervalMs) {
    this.#onReport = onReport;
    this.#intervalMs = intervalMs;
  }

  watchProducer(producer: types.Producer<ProducerAppData>): void {
    const update = (scores: types.ProducerScore[]): void => {
      if (scores.length === 0) return;
      this.#setProducer(producer.id, Math.max(...scores.map((s) => s.score)));
    };
    producer.on('score', update);
    update(producer.score); // mediasoup emits changes only: what it knows already counts
    producer.observer.once('close', () => {
      this.#producers.delete(producer.id);
      this.#dirtyProducers.delete(producer.id);
    });
  }

  watchConsumer(consumer: types.Consumer<ConsumerAppData>): void {
    const update = ({ score, producerScore }: types.ConsumerScore): void => {
      const previous = this.#consumers.get(consumer.id);
      if (previous && previous.score === score && previous.producerScore === producerScore) return;
      this.#consumers.set(consumer.id, { producerId: consumer.producerId, score, producerScore });
      this.#dirtyConsumers.add(consumer.id);
      this.#schedule();
    };
    consumer.on('score', update);
    update(consumer.score); // a consumer of a producer already scored starts with its final score
    consumer.observer.once('close', () => {
      this.#consumers.delete(consumer.id);
      this.#dirtyConsumers.delete(consumer.id);
    });
  }

  /** Stops reporting. Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    this.#producers.clear();
    this.#consumers.clear();
  }

  #setProducer(producerId: string, score: number): void {
    if (this.#producers.get(producerId) === score) return;
    this.#producers.set(producerId, score);
    this.#dirtyProducers.add(producerId);
    this.#schedule();
  }

  #schedule(): void {
    if (this.#closed || this.#timer) return;
    const wait = Math.max(0, this.#lastReport + this.#intervalMs - performance.now());
    this.#timer = setTimeout(() => this.#flush(), wait);
    this.#timer.unref();
  }

  #flush(): void {
    this.#timer = null;
    if (this.#closed) return;
    const producers = [...this.#dirtyProducers].flatMap((producerId) => {
      const score = this.#producers.get(producerId);
      return score === undefined ? [] : [{ producerId, score }];
    });
    const consumers = [...this.#dirtyConsumers].flatMap((consumerId) => {
      const entry = this.#consumers.get(consumerId);
      return entry ? [{ consumerId, ...entry }] : [];
    });
    this.#dirtyProducers.clear();
    this.#dirtyConsumers.clear();
    if (producers.length === 0 && consumers.length === 0) return;
    this.#lastReport = performance.now();
    this.#onReport({ producers, consumers });
  }
}
