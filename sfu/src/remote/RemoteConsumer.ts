import type { types } from 'mediasoup';
import type { ShardConsumer } from '@nomades/shared';
import type { ConsumerView, ProducerView } from '../MediaParticipant.js';
import type { ConsumerAppData } from '../MediaPeerTypes.js';
import { RemoteEnd } from './RemoteEnd.js';

/**
 * SPAN-2: the home's view of a consumer that lives on the room's annex, kept by its
 * RemoteMediaPeer from the shard's answers and events.
 */
export class RemoteConsumer extends RemoteEnd implements ConsumerView {
  readonly id: string;
  readonly producerId: string;
  readonly kind: types.MediaKind;
  readonly rtpParameters: types.RtpParameters;
  readonly appData: ConsumerAppData;
  /** The room's producer this consumer receives, wherever it lives (its pause state is the truth). */
  readonly #producer: () => ProducerView | undefined;
  readonly #producerPausedAtStart: boolean;

  constructor(data: ShardConsumer, producer: () => ProducerView | undefined) {
    super(data.paused);
    this.id = data.id;
    this.producerId = data.producerId;
    this.kind = data.kind;
    // Checked structurally by shardConsumerSchema; the annex's mediasoup produced it.
    this.rtpParameters = data.rtpParameters as types.RtpParameters;
    this.appData = { peerId: data.appData.peerId, producerPeerId: data.appData.producerPeerId, source: data.appData.source };
    this.#producerPausedAtStart = data.producerPaused;
    this.#producer = producer;
  }

  get producerPaused(): boolean {
    const producer = this.#producer();
    return producer && !producer.closed ? producer.paused : this.#producerPausedAtStart;
  }
}
