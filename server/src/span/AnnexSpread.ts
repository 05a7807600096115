import { AppError } from '@nomades/shared';
import type { MediaRoom, NodeChannel } from '@nomades/sfu';
import type { ClusterNode } from '../cluster/ClusterNode.js';
import type { NodeLinks } from '../cluster/NodeLinks.js';
import type { Logger } from '../logging/logger.js';
import type { MediaSpread } from './MediaSpread.js';

/**
 * SPAN-5, on a room's home: a newcomer's media stays here while this node is under
 * NODE_MAX_PARTICIPANTS; beyond, it goes to the room's annex (the one the directory keeps for the
 * room, or a new one it chooses atomically), reached through the node link's channel for the room.
 * A channel whose span ended (its last participant there left, or the room closed) is closed, so
 * that the next span opens a fresh one.
 */
export class AnnexSpread implements MediaSpread {
  readonly #cluster: ClusterNode;
  readonly #links: () => NodeLinks | undefined;
  readonly #log: Logger;
  readonly #watched = new WeakSet<NodeChannel>();

  constructor(cluster: ClusterNode, links: () => NodeLinks | undefined, log: Logger) {
    this.#cluster = cluster;
    this.#links = links;
    this.#log = log.child({ name: 'span' });
  }

  async annexFor(room: { id: string; media: MediaRoom }): Promise<NodeChannel | undefined> {
    if (this.#cluster.hasCapacity(1)) return undefined;
    const full = () => new AppError('ROOM_FULL', 'the service has no room left for another participant now: try again in a moment', { max: this.#cluster.maxParticipants ?? 0 });
    const links = this.#links();
    if (!links) throw full();
    const annex = await this.#cluster.placeAnnex(room.id);
    if (!annex) throw full();
    // A live annex is kept even when it has filled up since (its load is a second old at most).
    const { participants } = annex.node.load;
    const max = annex.node.maxParticipants;
    if (max !== undefined && participants !== undefined && participants >= max) throw full();
    const channel = links.channel(room.id, annex.node.id);
    // The directory has not yet seen it dead (its heartbeat key lives up to NODE_TTL_MS), but the
    // link has: retryable, the next attempt gets another annex.
    if (channel.closed) throw new AppError('UNAVAILABLE', "the room's second node cannot be reached now: try again in a moment");
    if (!this.#watched.has(channel)) {
      this.#watched.add(channel);
      const ended = (nodeId: string) => {
        if (nodeId !== annex.node.id) return;
        room.media.off('annexclose', ended);
        channel.close();
      };
      room.media.on('annexclose', ended);
      room.media.once('close', () => room.media.off('annexclose', ended));
      if (annex.placed) this.#log.info({ room: room.id, annex: annex.node.id, previous: annex.previousAnnex }, 'the room spans a second node');
    }
    return channel;
  }
}
