import type { types } from 'mediasoup';
import { AppError } from '@nomades/shared';
import type { ProducerView } from '../MediaParticipant.js';
import type { ProducerAppData } from '../MediaPeerTypes.js';
import type { SpeakerDetector } from '../SpeakerDetector.js';
import type { NodeChannel } from './NodeChannel.js';
import type { RemoteMediaPeer } from './RemoteMediaPeer.js';
import { ShardLink, type NodePipeOptions } from './ShardLink.js';

/** What the span needs of its (home) MediaRoom. */
export interface AnnexSpanContext {
  /** The room's first router: the node pipes end there, speaker detection runs there. */
  router: types.Router;
  speakers: SpeakerDetector;
  nodePipes: NodePipeOptions;
  /** A producer of the room, on either node. */
  findProducer(producerId: string): ProducerView | undefined;
  /** A producer of a participant whose media is on this node. */
  localProducer(producerId: string): types.Producer<ProducerAppData> | undefined;
  /** Brings a producer of this node to the first router (PLACE-3). */
  toFirstRouter(producerId: string): Promise<void>;
  newProducer(producer: ProducerView): void;
  producerClosed(producer: ProducerView): void;
  /** The span onto `nodeId` ended (its channel is spent). */
  ended(nodeId: string): void;
}

/**
 * SPAN-2/3/5, the home MediaRoom's participants whose media is on the room's annex: at most one
 * annex at a time (a room spans at most two nodes), reached through a ShardLink. Wires each
 * RemoteMediaPeer as the room wires a MediaPeer (its producers are the room's; its microphones
 * are piped home for speaker detection), and pipes the home's producers to the annex when one of
 * them consumes them. The span ends with its last participant there (the shard is told), with its
 * channel, or with the room; a channel whose span ended is not reused.
 */
export class AnnexSpan {
  readonly #ctx: AnnexSpanContext;
  readonly #spent = new WeakSet<NodeChannel>();
  #link?: ShardLink;

  constructor(ctx: AnnexSpanContext) {
    this.#ctx = ctx;
  }

  /** The link to the annex, while the room spans one. */
  get link(): ShardLink | undefined {
    return this.#link;
  }

  createPeer(peerId: string, channel: NodeChannel): RemoteMediaPeer {
    const ctx = this.#ctx;
    const link = this.#linkTo(channel);
    const peer = link.createPeer(peerId, {
      findProducer: (id) => ctx.findProducer(id),
      bringToAnnex: (id) => this.#bringToAnnex(link, id),
    });
    const live = new Set<ProducerView>();
    const closed = (producer: ProducerView) => live.delete(producer) && ctx.producerClosed(producer);
    peer.on('newproducer', (producer) => {
      live.add(producer);
      ctx.newProducer(producer);
      if (producer.appData.source === 'microphone') {
        // SPAN-3's exception: speaker detection runs here, on the first router; the annex's microphones come home.
        void link
          .importProducer(producer.id)
          .then((imported) => ctx.speakers.addProducer(imported))
          .catch(() => undefined);
      }
    });
    peer.on('producerclosed', closed);
    peer.once('close', () => {
      for (const producer of [...live]) closed(producer);
      // The span ends with its last participant there: the shard on the annex closes.
      if (!link.closed && link.peers.size === 0) link.close();
    });
    return peer;
  }

  /** The link to the annex behind `channel`: the room's current one, or a new one. */
  #linkTo(channel: NodeChannel): ShardLink {
    if (this.#spent.has(channel)) throw new AppError('UNAVAILABLE', "this room's span onto that node has ended");
    if (this.#link) {
      if (this.#link.channel !== channel) throw new AppError('UNAVAILABLE', 'this room already spans another node');
      return this.#link;
    }
    const ctx = this.#ctx;
    const link = new ShardLink(channel, { ...ctx.nodePipes, router: ctx.router, findProducer: (id) => ctx.localProducer(id) });
    this.#link = link;
    link.once('close', () => {
      this.#spent.add(channel);
      if (this.#link === link) this.#link = undefined;
      ctx.ended(channel.nodeId);
    });
    return link;
  }

  /** SPAN-3: a producer of this node made consumable on the annex (first router, then the pipe); none for the annex's own. */
  async #bringToAnnex(link: ShardLink, producerId: string): Promise<void> {
    if (!this.#ctx.localProducer(producerId)) return; // on the annex already, or gone (the shard says so)
    await this.#ctx.toFirstRouter(producerId);
    await link.pipes.pipeOut(producerId);
  }

  /** Ends the span (the shard is told; the annex's participants close here). Idempotent. */
  close(): void {
    this.#link?.close();
  }
}
