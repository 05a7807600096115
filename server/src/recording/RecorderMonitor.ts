import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';

/** How often the recorders connected to the queue are counted. */
export const RECORDER_PROBE_INTERVAL_MS = 5_000;
/** The longest one count may take (the connection waits for Redis forever). */
const PROBE_TIMEOUT_MS = 2_000;

/** `/healthz`'s `recording` entry (REC-11). */
export interface RecordingHealth {
  /** `off`: no Redis configured (nothing is recorded); `ok` / `unreachable`: the queue's Redis. */
  queue: 'ok' | 'unreachable' | 'off';
  /** Recorders listening on the queue at the last count (0 while the queue is unreachable). */
  recorders: number;
  /** `degraded` when the queue is unreachable or no recorder listens. */
  status: 'ok' | 'degraded' | 'off';
}

/**
 * Knows, without waiting, whether the recording queue is reachable (the connection's state) and
 * how many recorders listen on it (counted every RECORDER_PROBE_INTERVAL_MS, one count at a time,
 * each bounded). close() stops counting. Idempotent.
 */
export class RecorderMonitor {
  readonly #queue: Queue;
  readonly #connection: Redis;
  readonly #timer: NodeJS.Timeout;
  #recorders = 0;
  #probing = false;

  constructor(queue: Queue, connection: Redis) {
    this.#queue = queue;
    this.#connection = connection;
    this.#timer = setInterval(() => void this.probe(), RECORDER_PROBE_INTERVAL_MS).unref();
    void this.probe();
  }

  /** Counts the recorders now (also run by the timer); never rejects. */
  async probe(): Promise<number> {
    if (this.#probing) return this.#recorders;
    this.#probing = true;
    let timer: NodeJS.Timeout | undefined;
    try {
      const timeout = new Promise<number>((resolve) => (timer = setTimeout(() => resolve(0), PROBE_TIMEOUT_MS)));
      this.#recorders = await Promise.race([this.#queue.getWorkersCount().catch(() => 0), timeout]);
    } finally {
      clearTimeout(timer);
      this.#probing = false;
    }
    return this.#recorders;
  }

  health(): RecordingHealth {
    const queue = this.#connection.status === 'ready' ? 'ok' : 'unreachable';
    const recorders = queue === 'ok' ? this.#recorders : 0;
    return { queue, recorders, status: queue === 'ok' && recorders > 0 ? 'ok' : 'degraded' };
  }

  close(): void {
    clearInterval(this.#timer);
  }
}
