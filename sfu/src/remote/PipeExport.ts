import type { EventEmitter } from 'node:events';
import type { types } from 'mediasoup';
import type { PipeLane } from '@nomades/shared';

export interface PipeExportEvents {
  producerpause: [];
  producerresume: [];
  /** Closed: by close(), or because the producer or the transport closed. Once. */
  close: [];
}

/**
 * SPAN-3, source side: how one local producer crosses to the other node. A `WholePipe` (a pipe
 * consumer: every stream of the producer) or a `LayeredPipe` (SPAN-3b: one simulcast consumer per
 * spatial layer, each stream crossing only while the other node wants that layer).
 */
export interface PipeExport extends EventEmitter<PipeExportEvents> {
  /** Names this export in the messages (`PipeRef.consumerId`): a new export of the same producer has another. */
  readonly id: string;
  readonly lane: PipeLane;
  readonly kind: types.MediaKind;
  readonly closed: boolean;
  readonly producerPaused: boolean;
  /** What the destination produces to receive it (same codecs; one encoding per stream that crosses). */
  readonly rtpParameters: types.RtpParameters;
  /** What crosses now: nothing (-1) or the spatial layers up to this one (all at first). */
  readonly demand: number;
  /** The other node wants nothing of it (-1) or the spatial layers up to `spatialLayer`. */
  setDemand(spatialLayer: number): Promise<void>;
  /** RTP bytes sent to the other node so far (every stream of this export). */
  bytesSent(): Promise<number>;
  /** Idempotent. */
  close(): void;
}
