import type { types } from 'mediasoup';
import { MAX_PIPE_LAYERS } from '@nomades/shared';
import type { ProducerAppData } from '../MediaPeerTypes.js';

type Producer = types.Producer<ProducerAppData>;

/** Producers piped to this node from the other one, and what can be asked of their source (NodePipes). */
export interface NodeImports {
  readonly imported: ReadonlyMap<string, Producer>;
  /** Ends the import: its pipe closes on both nodes. */
  release(producerId: string): void;
  /** SPAN-3: the source sends nothing of it (-1) or the layers up to `spatialLayer`. */
  setDemand(producerId: string, spatialLayer: number): void;
}

/** What this node wants of an import: nothing uses it (release it), nobody watches it, or up to a layer. */
export const IMPORT_UNUSED = -2;
export const IMPORT_IDLE = -1;
/** Above any layer: everything (a recording tap, the home's speaker detection). */
export const IMPORT_ALL = MAX_PIPE_LAYERS - 1;

export const IMPORT_DEMAND = {
  /** How often imports are looked at while there are some. */
  checkMs: 500,
  /** How long a video is wanted less (fewer layers, or none) before its source sends less. */
  lowerAfterMs: 1_000,
} as const;

export interface ImportDemandOptions {
  imports: () => NodeImports | undefined;
  /** IMPORT_UNUSED, IMPORT_IDLE, or the highest spatial layer something here watches. */
  demand: (producer: Producer) => number;
  /** How long an import stays unused before it is released. */
  releaseAfterMs: number;
  checkMs?: number;
  lowerAfterMs?: number;
}

/**
 * SPAN-3: what crosses from the other node follows what this node uses of it.
 * - An import nothing uses any more (no consumer, no tap) for `releaseAfterMs` is released: its
 *   pipe closes on both nodes. A consume under way (piped, its consumer not created yet) is not a
 *   use, and has long finished by then.
 * - A video nobody watches (every consumer paused: tiles off screen, SIG-8) stops crossing; one
 *   watched only in small tiles gets only its low layers (SPAN-3b, LayeredPipe).
 * Less is asked once it has been wanted less for `lowerAfterMs` (a consumer is created paused and
 * resumed a moment later: no pause in between); more is asked at once, at the next `check()`,
 * which the room calls when a consumer resumes or wants a higher layer. Audio is only released:
 * a muted microphone sends nothing already, an unmuted one is listened to.
 * One timer, running only while this node has imports.
 */
export class ImportDemand {
  readonly #o: ImportDemandOptions;
  /**
   * Per import (the pipe producer itself: a producer released and piped again is a new import,
   * whose source sends everything again): what its source was last asked (absent: everything).
   */
  #asked = new WeakMap<Producer, number>();
  #lowerSince = new WeakMap<Producer, number>();
  #unusedSince = new WeakMap<Producer, number>();
  #timer?: NodeJS.Timeout;
  #closed = false;

  constructor(options: ImportDemandOptions) {
    this.#o = options;
  }

  /** Looks at every import now, and keeps looking every `checkMs` while there are imports. */
  check(now = Date.now()): void {
    const imports = this.#o.imports();
    if (this.#closed || !imports || imports.imported.size === 0) {
      this.#stop();
      return;
    }
    if (!this.#timer) {
      this.#timer = setInterval(() => this.check(), this.#o.checkMs ?? IMPORT_DEMAND.checkMs);
      this.#timer.unref();
    }
    for (const producer of [...imports.imported.values()]) {
      if (!producer.closed) this.#look(imports, producer, now);
    }
  }

  /** What the source of this import was last asked: IMPORT_IDLE, a layer, or undefined (everything). */
  asked(producerId: string): number | undefined {
    const producer = this.#o.imports()?.imported.get(producerId);
    return producer && this.#asked.get(producer);
  }

  close(): void {
    this.#closed = true;
    this.#stop();
  }

  #look(imports: NodeImports, producer: Producer, now: number): void {
    const demand = this.#o.demand(producer);
    if (demand === IMPORT_UNUSED) {
      const since = this.#unusedSince.get(producer) ?? now;
      this.#unusedSince.set(producer, since);
      if (now - since >= this.#o.releaseAfterMs) {
        this.#unusedSince.delete(producer);
        imports.release(producer.id);
        return;
      }
    } else this.#unusedSince.delete(producer);
    if (producer.kind !== 'video') return;
    const wanted = Math.max(demand, IMPORT_IDLE);
    const asked = this.#asked.get(producer) ?? IMPORT_ALL;
    if (wanted >= asked) {
      this.#lowerSince.delete(producer);
      if (wanted > asked) this.#ask(imports, producer, wanted);
      return;
    }
    const since = this.#lowerSince.get(producer) ?? now;
    this.#lowerSince.set(producer, since);
    if (now - since >= (this.#o.lowerAfterMs ?? IMPORT_DEMAND.lowerAfterMs)) {
      this.#lowerSince.delete(producer);
      this.#ask(imports, producer, wanted);
    }
  }

  #ask(imports: NodeImports, producer: Producer, spatialLayer: number): void {
    this.#asked.set(producer, spatialLayer);
    imports.setDemand(producer.id, spatialLayer);
  }

  #stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
    this.#asked = new WeakMap();
    this.#lowerSince = new WeakMap();
    this.#unusedSince = new WeakMap();
  }
}
