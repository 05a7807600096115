import type { Redis } from 'ioredis';
import type { Logger } from '../logging/logger.js';
import { ClusterError } from './ClusterError.js';
import type { ClusterScripts } from './clusterScripts.js';
import { parseNodeInfo, type AnnexPlacement, type NodeInfo } from './nodeInfo.js';

export interface NodeAnnexesOptions {
  redis: Redis & ClusterScripts;
  prefix: string;
  /** This node. */
  id: string;
  /** This node's version: an annex runs the home's (SPAN-5). */
  version: string;
  /** Runs a Redis call, mapping its failure to a ClusterError. */
  call: <T>(what: string, fn: () => Promise<T>) => Promise<T>;
  log: Logger;
}

/**
 * SPAN-5/6: the annexes of rooms spread over two nodes, in the directory's Redis (`annex:<room>`,
 * `annexed:<node>`; the Lua scripts in clusterScripts.ts), and the rooms whose media this node
 * hosts as an annex, kept in memory so that it claims them back if Redis loses them (as a home
 * claims its rooms). `NodeDirectory.placeAnnex` and the others delegate here.
 */
export class NodeAnnexes {
  readonly #o: NodeAnnexesOptions;
  /** The rooms whose media this node hosts as their annex. */
  readonly #hosted = new Set<string>();

  constructor(options: NodeAnnexesOptions) {
    this.#o = options;
  }

  /** The rooms whose media this node hosts as their annex (SPAN-6), in memory. */
  hosted(): string[] {
    return [...this.#hosted].sort();
  }

  async place(roomId: string, homeId: string): Promise<AnnexPlacement> {
    const { redis, prefix, version } = this.#o;
    const answer = await this.#o.call('placeAnnex', () => redis.clusterAnnex(prefix, roomId, homeId, version));
    if (answer.length === 0) throw new ClusterError('NO_ELIGIBLE_NODE', `no live node of version ${version} with capacity can be the annex of room ${roomId}`);
    const [json, placed, previousAnnex] = answer;
    const node = parseNodeInfo(json);
    if (placed === 1) this.#o.log.info({ room: roomId, annex: node.id, home: homeId, previousAnnex: previousAnnex || undefined }, 'annex placed');
    return { node, placed: placed === 1, ...(previousAnnex ? { previousAnnex } : {}) };
  }

  async release(roomId: string, nodeId: string): Promise<boolean> {
    const { redis, prefix } = this.#o;
    if (nodeId === this.#o.id) this.#hosted.delete(roomId);
    return (await this.#o.call('releaseAnnex', () => redis.clusterReleaseAnnex(prefix, roomId, nodeId))) === 1;
  }

  async annexOf(roomId: string): Promise<NodeInfo | undefined> {
    const { redis, prefix } = this.#o;
    const json = await this.#o.call('annexOf', () => redis.clusterAnnexOf(prefix, roomId));
    return json ? parseNodeInfo(json) : undefined;
  }

  async roomsOf(nodeId: string): Promise<string[]> {
    const { redis, prefix } = this.#o;
    return (await this.#o.call('annexRoomsOf', () => redis.smembers(`${prefix}annexed:${nodeId}`))).sort();
  }

  /** This node now hosts media of the room as its annex. */
  opened(roomId: string): void {
    this.#hosted.add(roomId);
  }

  /** Claimed back after Redis lost it, the room had another annex: this node no longer is. */
  lost(roomId: string): void {
    this.#hosted.delete(roomId);
  }
}
