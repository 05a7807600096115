import type { types } from 'mediasoup';
import type { MediaSource } from '@nomades/shared';

export type TransportDirection = 'send' | 'recv';

export interface TransportAppData extends types.AppData {
  direction: TransportDirection;
}

export interface ProducerAppData extends types.AppData {
  peerId: string;
  source: MediaSource;
}

export interface ConsumerAppData extends types.AppData {
  peerId: string;
  producerPeerId: string;
  source: MediaSource;
}

export interface TransportParams {
  id: string;
  iceParameters: types.IceParameters;
  iceCandidates: types.IceCandidate[];
  dtlsParameters: types.DtlsParameters;
}

export type MediaPeerEvents = {
  /** One of this peer's consumers closed because its producer went away. */
  consumerclosed: [consumer: types.Consumer<ConsumerAppData>];
  /** This peer started producing. */
  newproducer: [producer: types.Producer<ProducerAppData>];
  /** One of this peer's producers was paused or resumed (by itself or by a host). */
  producerpaused: [producer: types.Producer<ProducerAppData>];
  producerresumed: [producer: types.Producer<ProducerAppData>];
  /** One of this peer's producers closed (explicitly or with its transport). */
  producerclosed: [producer: types.Producer<ProducerAppData>];
  /** MEDIA-3: this producer sent more than its cap allows and is being closed (producerclosed follows). */
  bitrateexceeded: [producer: types.Producer<ProducerAppData>, bitsPerSecond: number];
  close: [];
};
