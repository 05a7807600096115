import { AppError, errorCodeSchema } from '@nomades/shared';
import type { NodeChannel } from '../../sfu/src/remote/NodeChannel.js';

/** One message that crossed, as the wire carried it (JSON). */
export interface CrossedMessage {
  from: string;
  type: 'request' | 'response' | 'error' | 'event';
  name: string;
  json: string;
}

/**
 * A NodeChannel in memory, for tests: two ends made together by `pair`. Every message, both ways
 * (requests, answers, errors, events), goes through JSON.stringify and JSON.parse, so what passes
 * here is wire-safe; it is delivered on a later macrotask, in order. A handler's AppError reaches
 * the requester as an AppError with the same code; a request without an answer within `timeoutMs`,
 * or made after close(), is rejected UNAVAILABLE. `log` keeps what crossed (both ends share it).
 */
export class MemoryNodeChannel implements NodeChannel {
  readonly nodeId: string;
  readonly log: CrossedMessage[];
  #other!: MemoryNodeChannel;
  readonly #self: string;
  readonly #handlers = new Map<string, (data: unknown) => Promise<unknown>>();
  readonly #listeners = new Map<string, Array<(data: unknown) => void>>();
  readonly #closeListeners: Array<() => void> = [];
  readonly #timeoutMs: number;
  readonly #latencyMs: number;
  #closed = false;

  private constructor(self: string, other: string, log: CrossedMessage[], options: { timeoutMs: number; latencyMs: number }) {
    this.#self = self;
    this.nodeId = other;
    this.log = log;
    this.#timeoutMs = options.timeoutMs;
    this.#latencyMs = options.latencyMs;
  }

  /**
   * The two ends of one channel between nodes `a` and `b` (end `a` talks to `b`). `latencyMs`: each
   * message takes that long to cross (a link between hosts), in order.
   */
  static pair(a: string, b: string, options: { timeoutMs?: number; latencyMs?: number } = {}): [MemoryNodeChannel, MemoryNodeChannel] {
    const log: CrossedMessage[] = [];
    const o = { timeoutMs: options.timeoutMs ?? 5_000, latencyMs: options.latencyMs ?? 0 };
    const ea = new MemoryNodeChannel(a, b, log, o);
    const eb = new MemoryNodeChannel(b, a, log, o);
    ea.#other = eb;
    eb.#other = ea;
    return [ea, eb];
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Messages of one name that crossed, parsed. */
  crossed(name: string, type: CrossedMessage['type'] = 'request'): unknown[] {
    return this.log.filter((m) => m.name === name && m.type === type).map((m) => JSON.parse(m.json));
  }

  request(method: string, data: unknown): Promise<unknown> {
    if (this.#closed) return Promise.reject(new AppError('UNAVAILABLE', 'the node channel is closed'));
    const wire = this.#wire('request', method, data);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new AppError('UNAVAILABLE', `${method}: no answer within ${this.#timeoutMs} ms`)), this.#timeoutMs);
      this.#deliver(() => {
        const other = this.#other;
        const handler = other.#handlers.get(method);
        const answered = other.#closed
          ? Promise.reject(new AppError('UNAVAILABLE', 'the node channel is closed'))
          : handler
            ? Promise.resolve().then(() => handler(JSON.parse(wire)))
            : Promise.reject(new AppError('UNKNOWN_REQUEST', `no handler for ${method}`));
        answered.then(
          (result) => {
            const back = other.#wire('response', method, result ?? null);
            this.#deliver(() => (clearTimeout(timer), this.#closed ? reject(new AppError('UNAVAILABLE', 'the node channel is closed')) : resolve(JSON.parse(back))));
          },
          (error: unknown) => {
            const payload =
              error instanceof AppError ? error.toPayload() : { code: 'INTERNAL', message: error instanceof Error ? error.message : String(error) };
            const back = other.#wire('error', method, payload);
            this.#deliver(() => {
              clearTimeout(timer);
              const { code, message } = JSON.parse(back) as { code: string; message: string };
              const parsed = errorCodeSchema.safeParse(code);
              reject(new AppError(parsed.success ? parsed.data : 'INTERNAL', message));
            });
          },
        );
      });
    });
  }

  send(event: string, data: unknown): void {
    if (this.#closed) return;
    const wire = this.#wire('event', event, data);
    this.#deliver(() => {
      const other = this.#other;
      if (other.#closed) return;
      for (const listener of other.#listeners.get(event) ?? []) listener(JSON.parse(wire));
    });
  }

  handle(method: string, handler: (data: unknown) => Promise<unknown>): void {
    this.#handlers.set(method, handler);
  }

  on(event: string, listener: (data: unknown) => void): void {
    this.#listeners.set(event, [...(this.#listeners.get(event) ?? []), listener]);
  }

  onClose(listener: () => void): void {
    this.#closeListeners.push(listener);
  }

  /** The link is gone: both ends close (as when the other node dies). */
  close(): void {
    for (const end of [this, this.#other]) {
      if (end.#closed) continue;
      end.#closed = true;
      for (const listener of end.#closeListeners) listener();
    }
  }

  /** Runs `fn` when a message sent now arrives: on a later macrotask, after the latency. */
  #deliver(fn: () => void): void {
    if (this.#latencyMs > 0) setTimeout(fn, this.#latencyMs);
    else setImmediate(fn);
  }

  #wire(type: CrossedMessage['type'], name: string, data: unknown): string {
    const json = JSON.stringify(data ?? null);
    this.log.push({ from: this.#self, type, name, json });
    return json;
  }
}
