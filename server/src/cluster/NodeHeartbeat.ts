import type { Redis } from 'ioredis';
import type { Logger } from '../logging/logger.js';
import type { ClusterScripts } from './clusterScripts.js';
import { HostedRooms } from './HostedRooms.js';
import type { NodeInfo } from './nodeInfo.js';

export interface NodeHeartbeatOptions {
  redis: Redis & ClusterScripts;
  prefix: string;
  id: string;
  ttlMs: number;
  /** The record to publish, read at each beat. */
  record: () => NodeInfo;
  /** A room claimed back had meanwhile been given another live home. */
  onRoomLost: (roomId: string, newHome: string) => void;
  /** SPAN-5: the rooms whose media this node hosts as their annex (claimed back with its rooms). */
  annexes?: () => string[];
  /** An annex claimed back had meanwhile been given to another node (or this node is now the room's home). */
  onAnnexLost?: (roomId: string, other: string) => void;
  log: Logger;
}

/**
 * This node's heartbeat: writes its record with a TTL and keeps the rooms it hosts in memory.
 * When Redis no longer had the record (Redis restarted empty, or this node was silent past its
 * TTL and the others took it for dead), the rooms are claimed back before anything else.
 * Beats run one after the other, never interleaved (the timer, setDraining, close).
 */
export class NodeHeartbeat {
  readonly hosted = new HostedRooms();
  readonly #o: NodeHeartbeatOptions;
  /** Set when Redis had lost our record: cleared once our rooms are claimed back. */
  #mustReclaim = false;
  #written = false;
  #stopped = false;
  #chain: Promise<void> = Promise.resolve();

  constructor(options: NodeHeartbeatOptions) {
    this.#o = options;
  }

  /** True once a beat has reached Redis. */
  get written(): boolean {
    return this.#written;
  }

  beat(): Promise<void> {
    const run = this.#chain.then(() => this.#beatOnce());
    this.#chain = run.catch(() => undefined);
    return run;
  }

  /** No beat after this one resolves (close() is about to delete the record). */
  async stop(): Promise<void> {
    this.#stopped = true;
    await this.#chain;
  }

  async #beatOnce(): Promise<void> {
    if (this.#stopped) return;
    const { redis, prefix, id } = this.#o;
    this.hosted.beginSync();
    try {
      const [existed, members] = await redis.clusterHeartbeat(prefix, id, JSON.stringify(this.#o.record()), this.#o.ttlMs);
      if (existed === 1 && !this.#mustReclaim) return this.hosted.sync(members);
      if (this.#written && existed === 0) this.#o.log.warn({ rooms: this.hosted.size }, 'our heartbeat was gone (Redis restarted empty, or we were silent past the TTL): claiming our rooms back');
      // Kept until the claim succeeds: the next beat will find the record and must not skip it.
      this.#mustReclaim = true;
      this.hosted.beginSync();
      const [lost, hosted] = await redis.clusterReclaim(prefix, id, ...this.hosted.list());
      const annexes = this.#o.annexes?.() ?? [];
      const annexesLost = annexes.length ? await redis.clusterReclaimAnnexes(prefix, id, ...annexes) : [];
      this.#mustReclaim = false;
      this.hosted.sync(hosted);
      for (let i = 0; i < lost.length; i += 2) {
        this.#o.log.warn({ room: lost[i], home: lost[i + 1] }, 'room lost: it was moved to another node while we were thought dead');
        this.#o.onRoomLost(lost[i], lost[i + 1]);
      }
      for (let i = 0; i < annexesLost.length; i += 2) {
        this.#o.log.warn({ room: annexesLost[i], other: annexesLost[i + 1] }, 'annex lost: the room has another annex (or home) since we were thought dead');
        this.#o.onAnnexLost?.(annexesLost[i], annexesLost[i + 1]);
      }
    } catch (error) {
      this.hosted.abortSync();
      throw error;
    } finally {
      this.#written = true;
    }
  }
}
