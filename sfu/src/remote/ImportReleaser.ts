import type { types } from 'mediasoup';
import type { ProducerAppData } from '../MediaPeerTypes.js';

/** Producers piped to this node from the other one, and how to let one go (NodePipes). */
export interface NodeImports {
  readonly imported: ReadonlyMap<string, types.Producer<ProducerAppData>>;
  release(producerId: string): void;
  /** SPAN-3: nothing here watches it now (or something does again): the source pauses (resumes) its pipe. */
  setIdle(producerId: string, idle: boolean): void;
}

/**
 * SPAN-3: a producer piped here from the other node is released (its pipe closes on both nodes)
 * once nothing here uses it any more. Checked a while after something stopped using one (a
 * participant left, a recording tap closed), not at once: a consume under way (piped, its
 * consumer not created yet) is not counted as a use, and has long finished by then.
 */
export class ImportReleaser {
  readonly #imports: () => NodeImports | undefined;
  readonly #keep: (producer: types.Producer<ProducerAppData>) => boolean;
  readonly #delayMs: number;
  #timer?: NodeJS.Timeout;
  #closed = false;

  /** `keep`: whether this node still uses an imported producer (a consumer, a tap, speaker detection). */
  constructor(options: { imports: () => NodeImports | undefined; keep: (producer: types.Producer<ProducerAppData>) => boolean; delayMs: number }) {
    this.#imports = options.imports;
    this.#keep = options.keep;
    this.#delayMs = options.delayMs;
  }

  /** Something stopped using imports: check them after the delay (one check for many such). */
  schedule(): void {
    if (this.#closed || this.#timer) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.releaseUnused();
    }, this.#delayMs);
    this.#timer.unref();
  }

  /** Releases every import nobody here uses. */
  releaseUnused(): void {
    const imports = this.#imports();
    if (this.#closed || !imports) return;
    for (const producer of [...imports.imported.values()]) {
      if (!producer.closed && !this.#keep(producer)) imports.release(producer.id);
    }
  }

  close(): void {
    this.#closed = true;
    clearTimeout(this.#timer);
  }
}
