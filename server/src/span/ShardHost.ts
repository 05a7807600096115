import { MediaShard, type NodeChannel, type NodePipes, type WorkerPool } from '@nomades/sfu';
import type { ClusterNode } from '../cluster/ClusterNode.js';
import type { NodeLinks } from '../cluster/NodeLinks.js';
import type { Logger } from '../logging/logger.js';

/**
 * SPAN-2/6, on an annex: the media shards this node serves for rooms homed elsewhere, one per
 * room channel a home opens (`NodeLinks.onRoomChannel`). Tells the directory which rooms it hosts
 * as an annex (`/healthz`, `GET /api/nodes`), counts their participants in this node's load
 * (NODE_MAX_PARTICIPANTS), and closes them all with the node. A shard closes by itself with its
 * channel: the home closed the span, or died (the directory reports it down: SPAN-8).
 */
export class ShardHost {
  readonly #shards = new Map<string, MediaShard>();
  readonly #pool: WorkerPool;
  readonly #cluster: ClusterNode;
  readonly #log: Logger;
  readonly #trusted: boolean;
  readonly #unsubscribe: () => void;
  #closed = false;

  constructor(options: { pool: WorkerPool; cluster: ClusterNode; links: NodeLinks; trusted: boolean; log: Logger }) {
    this.#pool = options.pool;
    this.#cluster = options.cluster;
    this.#trusted = options.trusted;
    this.#log = options.log.child({ name: 'shards' });
    this.#unsubscribe = options.links.onRoomChannel((roomId, channel) => this.#open(roomId, channel));
    // The directory gave the room's annex to another node while this one was unreachable.
    options.cluster.directory.on('annexLost', (roomId: string) => this.#shards.get(roomId)?.close());
  }

  /** Media participants in the shards here (SPAN-5: part of this node's load). */
  get participants(): number {
    let count = 0;
    for (const shard of this.#shards.values()) count += shard.peers.size;
    return count;
  }

  /** SPAN-3: the shards' pipes to their rooms' homes (metrics read their transport). */
  get pipes(): NodePipes[] {
    return [...this.#shards.values()].flatMap((shard) => (shard.pipes ? [shard.pipes] : []));
  }

  get rooms(): string[] {
    return [...this.#shards.keys()];
  }

  #open(roomId: string, channel: NodeChannel): void {
    if (this.#closed) return;
    // A home opens one channel per span; a new one replaces a shard whose channel has not closed yet.
    this.#shards.get(roomId)?.close();
    const log = this.#log.child({ room: roomId, home: channel.nodeId });
    const shard = new MediaShard(this.#pool, roomId, channel, {
      ...this.#pool.mediaAddress,
      trusted: this.#trusted,
      logger: log,
      // SPAN-5: the home chose this node on its published load; the exact count is here.
      admit: () => this.#cluster.hasCapacity(1),
    });
    this.#shards.set(roomId, shard);
    this.#cluster.annexOpened(roomId);
    log.info('media shard opened: this node carries media of a room homed elsewhere');
    shard.once('close', () => {
      if (this.#shards.get(roomId) !== shard) return;
      this.#shards.delete(roomId);
      if (!this.#closed) this.#cluster.annexClosed(roomId);
      log.info('media shard closed');
    });
  }

  /** Closes every shard (their homes' participants there are closed by their homes: SPAN-7). Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#unsubscribe();
    for (const shard of [...this.#shards.values()]) shard.close();
    this.#shards.clear();
  }
}
