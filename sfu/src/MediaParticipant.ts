import type { EventEmitter } from 'node:events';
import type { types } from 'mediasoup';
import type { AppError, MediaSource } from '@nomades/shared';
import type { ConsumerAppData, MediaScores, ProducerAppData, TransportDirection, TransportParams } from './MediaPeerTypes.js';

/**
 * What the room sees of a producer (SPAN-2): a mediasoup `Producer` is one, and so is the
 * home's view of a producer that lives on the annex.
 */
export interface ProducerView {
  readonly id: string;
  readonly kind: types.MediaKind;
  readonly paused: boolean;
  readonly closed: boolean;
  readonly appData: ProducerAppData;
  /** Closes the producer wherever it lives (a host's removal, a role change). */
  close(): void;
}

/** What the room sees of a consumer (a mediasoup `Consumer` is one). */
export interface ConsumerView {
  readonly id: string;
  readonly producerId: string;
  readonly kind: types.MediaKind;
  readonly rtpParameters: types.RtpParameters;
  readonly paused: boolean;
  readonly producerPaused: boolean;
  readonly closed: boolean;
  readonly appData: ConsumerAppData;
}

export type MediaParticipantEvents = {
  consumerclosed: [consumer: ConsumerView];
  newproducer: [producer: ProducerView];
  producerpaused: [producer: ProducerView];
  producerresumed: [producer: ProducerView];
  producerclosed: [producer: ProducerView];
  bitrateexceeded: [producer: ProducerView, bitsPerSecond: number];
  scores: [scores: MediaScores];
  /** Ended; `refusal`: why, when the annex refused the participant (SPAN-5: its node full, ROOM_FULL). */
  close: [refusal?: AppError];
};

/**
 * SPAN-2: the media side of one participant as the room, the signaling handlers and moderation
 * use it, wherever it runs: `MediaPeer` on this node, `RemoteMediaPeer` on the room's annex.
 * Errors are `AppError`s with the same codes either way.
 */
export interface MediaParticipant extends Pick<EventEmitter<MediaParticipantEvents>, 'on' | 'once' | 'off'> {
  readonly id: string;
  readonly closed: boolean;
  readonly producers: ReadonlyMap<string, ProducerView>;
  readonly consumers: ReadonlyMap<string, ConsumerView>;
  setRtpCapabilities(rtpCapabilities: types.RtpCapabilities): void | Promise<void>;
  createTransport(direction: TransportDirection): Promise<TransportParams>;
  restartIce(transportId: string): Promise<types.IceParameters>;
  connectTransport(transportId: string, dtlsParameters: types.DtlsParameters): Promise<void>;
  produce(options: { transportId: string; kind: types.MediaKind; rtpParameters: types.RtpParameters; source: MediaSource; paused?: boolean }): Promise<ProducerView>;
  closeProducer(producerId: string): void;
  pauseProducer(producerId: string): Promise<ProducerView>;
  resumeProducer(producerId: string): Promise<ProducerView>;
  consume(transportId: string, producerId: string): Promise<ConsumerView>;
  consumeMany(transportId: string, producerIds: string[]): Promise<{ consumers: ConsumerView[]; missing: string[] }>;
  resumeConsumers(consumerIds: string[]): Promise<string[]>;
  pauseConsumer(consumerId: string): Promise<void>;
  resumeConsumer(consumerId: string): Promise<void>;
  setConsumerLayers(consumerId: string, spatialLayer: number, temporalLayer?: number): Promise<void>;
  /** Idempotent; closes the transports (and so producers and consumers) wherever they are. */
  close(): void;
}
