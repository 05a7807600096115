import { EventEmitter } from 'node:events';
import type { types } from 'mediasoup';
import { MAX_PIPE_LAYERS } from '@nomades/shared';
import { outboundBytes } from './outboundBytes.js';
import type { PipeExport, PipeExportEvents } from './PipeExport.js';

/**
 * SPAN-3: a producer exported through a pipe consumer (on the `pipe` lane's PipeTransport): every
 * stream crosses (audio, single-stream video; simulcast too when the `layers` lane is off). The
 * only demand it follows is "nothing": paused while nobody watches on the other node.
 */
export class WholePipe extends EventEmitter<PipeExportEvents> implements PipeExport {
  readonly lane = 'pipe' as const;
  readonly #consumer: types.Consumer;

  constructor(consumer: types.Consumer) {
    super();
    this.#consumer = consumer;
    consumer.on('producerpause', () => this.emit('producerpause'));
    consumer.on('producerresume', () => this.emit('producerresume'));
    consumer.observer.once('close', () => this.emit('close'));
  }

  get id(): string {
    return this.#consumer.id;
  }

  get kind(): types.MediaKind {
    return this.#consumer.kind;
  }

  get closed(): boolean {
    return this.#consumer.closed;
  }

  get producerPaused(): boolean {
    return this.#consumer.producerPaused;
  }

  get rtpParameters(): types.RtpParameters {
    return this.#consumer.rtpParameters;
  }

  get demand(): number {
    return this.#consumer.paused ? -1 : MAX_PIPE_LAYERS - 1;
  }

  async bytesSent(): Promise<number> {
    return outboundBytes([this.#consumer]);
  }

  async setDemand(spatialLayer: number): Promise<void> {
    if (this.#consumer.closed) return;
    await (spatialLayer < 0 ? this.#consumer.pause() : this.#consumer.resume());
  }

  close(): void {
    this.#consumer.close();
  }
}
