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

/** MEDIA-4: transmission scores (0…10) that changed, coalesced (ScoreReporter). */
export interface MediaScores {
  producers: Array<{ producerId: string; score: number }>;
  consumers: Array<{ consumerId: string; producerId: string; score: number; producerScore: number }>;
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
  /** MEDIA-4: scores of this peer's producers and consumers changed (at most once per interval). */
  scores: [scores: MediaScores];
  close: [];
};
