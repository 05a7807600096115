import { AppError } from '@nomades/shared';
import { ClusterError } from './ClusterError.js';
import type { NodeDirectory } from './NodeDirectory.js';
import { NodeProbe } from './NodeProbe.js';
import type { NodeInfo } from './nodeInfo.js';
import type { RoomLocation, RoomPlacement } from './RoomPlacement.js';

/**
 * RoomPlacement for several nodes: the node directory in Redis answers (atomic placement, dead
 * homes replaced). The other live nodes are kept from the directory's nodeUp / nodeDown, so that
 * a join answer and the page's CSP read them without a round trip to Redis.
 */
export class DirectoryPlacement implements RoomPlacement {
  readonly #directory: NodeDirectory;
  readonly #others = new Map<string, string>();
  readonly #probe = new NodeProbe();

  private constructor(directory: NodeDirectory) {
    this.#directory = directory;
    directory.on('nodeUp', (node) => node.id !== directory.id && this.#others.set(node.id, node.url));
    directory.on('nodeDown', (nodeId) => this.#others.delete(nodeId));
  }

  static async start(directory: NodeDirectory): Promise<DirectoryPlacement> {
    const placement = new DirectoryPlacement(directory);
    for (const node of await directory.liveNodes()) if (node.id !== directory.id) placement.#others.set(node.id, node.url);
    return placement;
  }

  async place(roomId: string, prefix?: string, unreachable?: string): Promise<RoomLocation> {
    let { node } = await this.#ask(() => this.#directory.placeRoom(roomId));
    // NODE-5b: the client could not reach the home named here; if its port refuses connections,
    // it is gone: bury it now rather than when its heartbeat expires, and place the room again.
    if (unreachable !== undefined && (await this.#ask(() => this.#buryIfGone(node, unreachable)))) {
      ({ node } = await this.#ask(() => this.#directory.placeRoom(roomId)));
    }
    if (node.id !== this.#directory.id) return { here: false, node: node.url };
    // The front's shared entry (`/`) reaches any node, the room's one too: its client must still
    // move to this node's own address, or its board (/collab from the same base) would land on
    // whichever node the front picks next time.
    if (prefix !== undefined && prefix !== this.#ownPrefix) return { here: false, node: node.url };
    return { here: true };
  }

  /** The path of this node's NODE_URL ('' without one). */
  get #ownPrefix(): string {
    return new URL(this.#directory.url).pathname.replace(/\/+$/, '');
  }

  /** The other live nodes' ids. */
  otherNodeIds(): string[] {
    return [...this.#others.keys()];
  }

  otherNodes(): string[] {
    return [...this.#others.values()];
  }

  /** The origins of the other nodes (CSP connect-src). */
  otherOrigins(): string[] {
    return [...new Set(this.otherNodes().map((url) => new URL(url).origin))];
  }

  async homeElsewhere(roomId: string): Promise<string | undefined> {
    const home = await this.#ask(() => this.#directory.homeOf(roomId));
    return home && home.id !== this.#directory.id ? home.url : undefined;
  }

  async reportUnreachable(roomId: string, url: string): Promise<void> {
    try {
      const home = await this.#directory.homeOf(roomId);
      if (home) await this.#buryIfGone(home, url);
    } catch {
      // Redis unreachable: the heartbeat's expiry will tell.
    }
  }

  /** NODE-5b: `node` is the one reported unreachable (`url`), not this one, and refuses connections: buried. True when probed gone. */
  async #buryIfGone(node: NodeInfo, url: string): Promise<boolean> {
    if (node.url !== url || node.id === this.#directory.id || !(await this.#probe.isGone(node))) return false;
    await this.#directory.bury(node);
    return true;
  }

  /** Redis unreachable, or no node may take a room: a clear, retryable refusal. */
  async #ask<T>(call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (error) {
      if (error instanceof ClusterError) throw new AppError('UNAVAILABLE', `placement unavailable (${error.code}): try again`);
      throw error;
    }
  }
}
