import type { types } from 'mediasoup';
import type { ProducerAppData } from '../MediaPeerTypes.js';
import type { NodeImports } from './ImportReleaser.js';

/** How often imports are looked at, and how long a video stays unwatched before its pipe pauses. */
export const IMPORT_IDLE = { checkMs: 500, idleAfterMs: 1_000 } as const;

/**
 * SPAN-3: a camera or screen piped here from the other node that nobody here watches (every
 * consumer of it paused: tiles off screen, SIG-8) stops crossing: its pipe consumer at the source
 * is paused (`NodePipes.setIdle`). Pausing waits until it has been unwatched for `idleAfterMs`
 * (a consumer is created paused and resumed a moment later: no pause in between); resuming is at
 * once, on the next look after a consumer resumed (`check()` is also called right then).
 * Audio is left alone: a muted microphone sends nothing already, an unmuted one is listened to.
 */
export class ImportIdler {
  readonly #imports: () => NodeImports | undefined;
  readonly #watched: (producer: types.Producer<ProducerAppData>) => boolean;
  readonly #idleAfterMs: number;
  readonly #unwatchedSince = new Map<string, number>();
  readonly #idle = new Set<string>();
  readonly #timer: NodeJS.Timeout;

  constructor(options: { imports: () => NodeImports | undefined; watched: (producer: types.Producer<ProducerAppData>) => boolean; checkMs?: number; idleAfterMs?: number }) {
    this.#imports = options.imports;
    this.#watched = options.watched;
    this.#idleAfterMs = options.idleAfterMs ?? IMPORT_IDLE.idleAfterMs;
    this.#timer = setInterval(() => this.check(), options.checkMs ?? IMPORT_IDLE.checkMs);
    this.#timer.unref();
  }

  /** Looks at every imported video now. */
  check(now = Date.now()): void {
    const imports = this.#imports();
    if (!imports) return;
    for (const id of [...this.#unwatchedSince.keys()]) if (!imports.imported.has(id)) this.#forget(id);
    for (const id of [...this.#idle]) if (!imports.imported.has(id)) this.#forget(id);
    for (const producer of imports.imported.values()) {
      if (producer.closed || producer.kind !== 'video') continue;
      if (this.#watched(producer)) {
        this.#unwatchedSince.delete(producer.id);
        if (this.#idle.delete(producer.id)) imports.setIdle(producer.id, false);
        continue;
      }
      const since = this.#unwatchedSince.get(producer.id);
      if (since === undefined) this.#unwatchedSince.set(producer.id, now);
      else if (now - since >= this.#idleAfterMs && !this.#idle.has(producer.id)) {
        this.#idle.add(producer.id);
        imports.setIdle(producer.id, true);
      }
    }
  }

  /** Whether the pipe of this import is paused for want of a viewer (tests, metrics). */
  isIdle(producerId: string): boolean {
    return this.#idle.has(producerId);
  }

  #forget(id: string): void {
    this.#unwatchedSince.delete(id);
    this.#idle.delete(id);
  }

  close(): void {
    clearInterval(this.#timer);
  }
}
