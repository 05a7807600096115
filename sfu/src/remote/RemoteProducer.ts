import type { types } from 'mediasoup';
import type { ShardProducer } from '@nomades/shared';
import type { ProducerView } from '../MediaParticipant.js';
import type { ProducerAppData } from '../MediaPeerTypes.js';

/**
 * SPAN-2: the home's view of a producer that lives on the room's annex. Its state follows the
 * shard's answers and events (RemoteMediaPeer); closing it asks the shard to close the producer.
 */
export class RemoteProducer implements ProducerView {
  readonly id: string;
  readonly kind: types.MediaKind;
  readonly appData: ProducerAppData;
  readonly #close: (producerId: string) => void;
  #paused: boolean;
  #closed = false;

  constructor(data: ShardProducer, close: (producerId: string) => void) {
    this.id = data.id;
    this.kind = data.kind;
    this.appData = { peerId: data.appData.peerId, source: data.appData.source };
    this.#paused = data.paused;
    this.#close = close;
  }

  get paused(): boolean {
    return this.#paused;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** The shard paused or resumed it. */
  setPaused(paused: boolean): void {
    if (!this.#closed) this.#paused = paused;
  }

  /** The shard closed it (or its participant is gone); true if it was open. */
  markClosed(): boolean {
    if (this.#closed) return false;
    this.#closed = true;
    return true;
  }

  close(): void {
    if (!this.#closed) this.#close(this.id);
  }
}
