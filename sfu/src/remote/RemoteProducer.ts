import type { types } from 'mediasoup';
import type { ShardProducer } from '@nomades/shared';
import type { ProducerView } from '../MediaParticipant.js';
import type { ProducerAppData } from '../MediaPeerTypes.js';
import { RemoteEnd } from './RemoteEnd.js';

/**
 * SPAN-2: the home's view of a producer that lives on the room's annex. Its state follows the
 * shard's answers and events (RemoteMediaPeer); closing it asks the shard to close the producer.
 */
export class RemoteProducer extends RemoteEnd implements ProducerView {
  readonly id: string;
  readonly kind: types.MediaKind;
  readonly appData: ProducerAppData;
  readonly #close: (producerId: string) => void;

  constructor(data: ShardProducer, close: (producerId: string) => void) {
    super(data.paused);
    this.id = data.id;
    this.kind = data.kind;
    this.appData = { peerId: data.appData.peerId, source: data.appData.source };
    this.#close = close;
  }

  close(): void {
    if (!this.closed) this.#close(this.id);
  }
}
