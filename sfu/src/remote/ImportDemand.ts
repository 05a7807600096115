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
  /** What the source was last asked (absent: everything, as a new pipe starts). */
  readonly #asked = new Map<string, number>();
  readonly #lowerSince = new Map<string, number>();
  readonly #unusedSince = new Map<string, number>();
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
    for (const map of [this.#asked, this.#lowerSince, this.#unusedSince]) {
      for (const id of [...map.keys()]) if (!imports.imported.has(id)) map.delete(id);
    }
    for (const producer of [...imports.imported.values()]) {
      if (!producer.closed) this.#look(imports, producer, now);
    }
  }

  /** What the source of this import was last asked: IMPORT_IDLE, a layer, or undefined (everything). */
  asked(producerId: string): number | undefined {
    return this.#asked.get(producerId);
  }

  close(): void {
    this.#closed = true;
    this.#stop();
  }

  #look(imports: NodeImports, producer: Producer, now: number): void {
    const { id } = producer;
    const demand = this.#o.demand(producer);
    if (demand === IMPORT_UNUSED) {
      const since = this.#unusedSince.get(id) ?? now;
      this.#unusedSince.set(id, since);
      if (now - since >= this.#o.releaseAfterMs) {
        this.#unusedSince.delete(id);
        imports.release(id);
        return;
      }
    } else this.#unusedSince.delete(id);
    if (producer.kind !== 'video') return;
    const wanted = Math.max(demand, IMPORT_IDLE);
    const asked = this.#asked.get(id) ?? IMPORT_ALL;
    if (wanted >= asked) {
      this.#lowerSince.delete(id);
      if (wanted > asked) this.#ask(imports, id, wanted);
      return;
    }
    const since = this.#lowerSince.get(id) ?? now;
    this.#lowerSince.set(id, since);
    if (now - since >= (this.#o.lowerAfterMs ?? IMPORT_DEMAND.lowerAfterMs)) {
      this.#lowerSince.delete(id);
      this.#ask(imports, id, wanted);
    }
  }

  #ask(imports: NodeImports, id: string, spatialLayer: number): void {
    this.#asked.set(id, spatialLayer);
    imports.setDemand(id, spatialLayer);
  }

  #stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
    this.#asked.clear();
    this.#lowerSince.clear();
    this.#unusedSince.clear();
  }
}
