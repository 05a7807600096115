import os from 'node:os';
import { randomBytes } from 'node:crypto';
import type { RequestHandler } from 'express';
import { AppError } from '@nomades/shared';
import { ClusterError } from './ClusterError.js';
import type { Config } from '../config/Config.js';
import type { Lifecycle } from '../lifecycle/Lifecycle.js';
import type { Logger } from '../logging/logger.js';
import type { RetentionScope } from '../retention/RetentionService.js';
import type { RoomRegistry } from '../rooms/RoomRegistry.js';
import { DirectoryPlacement } from './DirectoryPlacement.js';
import { NodeDirectory } from './NodeDirectory.js';
import type { AnnexPlacement } from './nodeInfo.js';
import { roomApiForwarder } from './RoomApiForwarder.js';
import { SessionEndRelay } from './SessionEndRelay.js';

/** What the cluster needs of the node around it. */
export interface ClusterHooks {
  registry: RoomRegistry;
  /** Signaling connections on this node (published as its load). */
  sessions: () => number;
  /**
   * SPAN-5: the media participants this node hosts, its rooms' local ones and those of the annex
   * shards it serves (published as its load; NODE_MAX_PARTICIPANTS bounds it).
   */
  participants: () => number;
  /** Ends the sessions of a room on this node with a non-final code: its clients come back, to `node` when it is known (NODE-5, NODE-7). */
  endRoom: (roomId: string, error: AppError) => void;
  /** AUTH-11/12: sessions another node saw end: end what they opened here. */
  endSessions: (sids: readonly string[]) => void;
  /** Background failures (/healthz): Redis out of reach for the directory. */
  faults: { record(source: string, error: unknown, context?: Record<string, unknown>): void };
}

/**
 * This node as one of several (docs/operations/several-nodes.md): its entry in the node directory
 * (heartbeat, load, the rooms it hosts), the placement the join path asks, the forwarding of API
 * calls on meetings hosted elsewhere, and its drain on SIGTERM. `ClusterNode.start` returns
 * undefined on one node (no DATABASE_URL and REDIS_URL): nothing of this runs there.
 */
export class ClusterNode {
  readonly directory: NodeDirectory;
  readonly placement: DirectoryPlacement;
  /** AUTH-11/12: ended sessions told to the other nodes (publishEndedSessions). */
  #relay?: SessionEndRelay;
  readonly #log: Logger;

  readonly #hooks: ClusterHooks;

  private constructor(directory: NodeDirectory, placement: DirectoryPlacement, hooks: ClusterHooks, log: Logger) {
    this.directory = directory;
    this.placement = placement;
    this.#hooks = hooks;
    this.#log = log;
  }

  static async start(life: Lifecycle, config: Config, log: Logger, hooks: ClusterHooks): Promise<ClusterNode | undefined> {
    // One node on PostgreSQL without Redis is still one node; main.ts refuses that pair (NODE-1).
    if (!config.databaseUrl || !config.redisUrl) return undefined;
    // Tokens minted by one node are checked by another; API keys work on every node.
    if (!config.tokenSecret || !config.adminKey) throw new Error('several nodes need the same TOKEN_SECRET and ADMIN_KEY on every node (set both)');
    const url = config.node.url ?? ownUrl(config);
    const linkUrl = linkUrlOf(config, log);
    const id = config.node.id ?? `${os.hostname()}-${config.port}-${randomBytes(3).toString('hex')}`;
    const clusterLog = log.child({ name: 'cluster', node: id });
    const directory = await life.start('node directory', () => NodeDirectory.start({
      redisUrl: config.redisUrl!,
      url,
      id,
      heartbeatMs: config.node.heartbeatMs,
      ttlMs: config.node.ttlMs,
      linkUrl,
      maxParticipants: config.node.maxParticipants,
      load: () => ({ rooms: hooks.registry.size, sessions: hooks.sessions(), participants: hooks.participants() }),
      log: clusterLog,
    }), (d) => d.close());
    const node = new ClusterNode(directory, await DirectoryPlacement.start(directory), hooks, clusterLog);
    node.#relay = await life.start('session end relay', () => SessionEndRelay.start({
      redisUrl: config.redisUrl!, nodeId: id, prefix: directory.prefix, log: clusterLog, onEnded: hooks.endSessions,
    }), (r) => r.close());
    // A room closed here (its last participant left) may be placed anywhere next time.
    hooks.registry.on('roomopened', (room) => room.once('close', () => {
      if (!directory.draining) directory.releaseRoom(room.id).catch((error: Error) => clusterLog.warn({ room: room.id, err: error.message }, 'could not release the room'));
    }));
    // This node was thought dead (paused, cut off) and the room was placed elsewhere meanwhile:
    // its participants here go there (a non-final end: their clients rejoin and are redirected).
    directory.on('roomLost', (roomId, newHome) => {
      clusterLog.warn({ room: roomId, newHome }, 'the room was moved to another node while this one was unreachable');
      hooks.endRoom(roomId, new AppError('UNAVAILABLE', 'the room moved to another node'));
    });
    // NODE-6: /healthz says "degraded" while (and for a while after) the directory cannot reach Redis.
    directory.on('unavailable', (error) => hooks.faults.record('cluster.redis', error, { node: id }));
    directory.on('annexLost', (roomId, other) => clusterLog.warn({ room: roomId, other }, 'this node is no longer the annex of the room (it was given another while this node was unreachable)'));
    directory.on('nodeDown', (nodeId, rooms) => clusterLog.warn({ dead: nodeId, rooms: rooms.length }, 'a node is gone; its rooms are placed again as their participants come back'));
    clusterLog.info({ url }, 'node in the cluster');
    return node;
  }

  /**
   * Another node is gone (the directory's `nodeDown`): `listener` gets its id (the recordings it
   * left, NODE-REC-1). A rejection is logged; nothing of Redis reaches the listener.
   */
  onNodeDown(listener: (nodeId: string) => Promise<unknown> | void): void {
    this.directory.on('nodeDown', (nodeId) => {
      Promise.resolve()
        .then(() => listener(nodeId))
        .catch((error: unknown) => this.#log.error({ dead: nodeId, err: error }, 'could not handle a node\'s death'));
    });
  }

  /**
   * Which of `nodeIds` are dead: absent from two surveys of the live nodes `confirmMs` apart (a
   * node's heartbeat, 1 s, rewrites its record well within that, even after Redis lost it).
   */
  async goneNodes(nodeIds: string[], confirmMs = 3_000): Promise<string[]> {
    const absent = async (ids: string[]) => {
      const live = new Set((await this.directory.liveNodes()).map((n) => n.id));
      return ids.filter((id) => !live.has(id));
    };
    const first = await absent(nodeIds);
    if (first.length === 0) return [];
    await new Promise((r) => setTimeout(r, confirmMs));
    return absent(first);
  }

  /** SPAN-5: NODE_MAX_PARTICIPANTS (undefined: no limit). */
  get maxParticipants(): number | undefined {
    return this.directory.maxParticipants;
  }

  /** SPAN-5: whether this node can host `more` media participants within NODE_MAX_PARTICIPANTS. */
  hasCapacity(more = 1): boolean {
    const max = this.directory.maxParticipants;
    return max === undefined || this.#hooks.participants() + more <= max;
  }

  /**
   * SPAN-5: the annex of a room homed here (the current one if alive, else a new one chosen
   * atomically in Redis); undefined when no node is eligible (then: ROOM_FULL). Redis away:
   * AppError UNAVAILABLE (retryable).
   */
  async placeAnnex(roomId: string): Promise<AnnexPlacement | undefined> {
    try {
      return await this.directory.placeAnnex(roomId, this.directory.id);
    } catch (error) {
      if (error instanceof ClusterError && error.code === 'NO_ELIGIBLE_NODE') return undefined;
      if (error instanceof ClusterError) throw new AppError('UNAVAILABLE', `annex placement unavailable (${error.code}): try again`);
      throw error;
    }
  }

  /** SPAN-6: the media shard host opened a room's shard here (this node is its annex): shown in /healthz. */
  annexOpened(roomId: string): void {
    this.directory.annexOpened(roomId);
  }

  /** SPAN-5/6: this node no longer hosts media of the room: its annex record is released (if still ours). */
  annexClosed(roomId: string): void {
    this.directory.releaseAnnex(roomId).catch((error: Error) => this.#log.warn({ room: roomId, err: error.message }, 'could not release the annex'));
  }

  /** AUTH-11/12: tells the other nodes these sessions ended (their meetings there end too). */
  publishEndedSessions(sids: readonly string[]): void {
    this.#relay?.publish(sids);
  }

  /** NODE-4: API calls on a live meeting go to the node hosting it. */
  forwarder(): RequestHandler {
    return roomApiForwarder({ placement: this.placement, nodeId: this.directory.id, log: this.#log });
  }

  /** NODE-7: no new room here, and the rooms hosted here released (their meetings then end here and resume elsewhere). */
  async drain(): Promise<void> {
    const rooms = this.directory.hostedRooms();
    await this.directory.setDraining(true);
    const moved = await Promise.allSettled(rooms.map(async (roomId) => {
      await this.directory.releaseRoom(roomId);
      // Placed at once on another node (a draining one takes none): its participants go straight
      // there; if none can take it, they find one as after a node's death.
      const { node } = await this.directory.placeRoom(roomId);
      this.#hooks.endRoom(roomId, new AppError('WRONG_NODE', 'this node is stopping: the room moved', { node: node.url }));
    }));
    this.#log.info({ rooms: rooms.length, moved: moved.filter((m) => m.status === 'fulfilled').length }, 'drained: rooms moved to the other nodes');
  }

  /** NODE-9: the part of the retention sweep that is this node's (RetentionScope). */
  retentionScope(): RetentionScope {
    const sweeper = () => [...this.placement.otherNodeIds(), this.directory.id].sort()[0] === this.directory.id;
    return {
      sweeper,
      ownsRoom: async (roomId) => {
        const home = await this.directory.homeOf(roomId);
        return home ? home.id === this.directory.id : sweeper();
      },
    };
  }

  /** NODE-6, SPAN-6: what /healthz says of this node. */
  health(): { id: string; url: string; draining: boolean; hostedRooms: number; otherNodes: number; annexRooms: string[]; participants: number; maxParticipants?: number; version: string } {
    const max = this.directory.maxParticipants;
    return {
      id: this.directory.id,
      url: this.directory.url,
      draining: this.directory.draining,
      hostedRooms: this.directory.hostedRooms().length,
      otherNodes: this.placement.otherNodes().length,
      annexRooms: this.directory.annexRooms(),
      participants: this.#hooks.participants(),
      ...(max !== undefined ? { maxParticipants: max } : {}),
      version: this.directory.version,
    };
  }
}

/**
 * SPAN-2: where the other nodes open the node link to this one: NODE_LINK_URL, else NODE_URL when
 * it has no path (the node's own address), else the listen address. NODE_URL with a path goes
 * through the front, which must not carry the link; a wildcard listen cannot name itself: then
 * the others cannot link to this node (it is never an annex), said once at start.
 */
function linkUrlOf(config: Config, log: Logger): string | undefined {
  if (config.node.linkUrl) return config.node.linkUrl;
  if (config.node.url && new URL(config.node.url).pathname.replace(/\/+$/, '') === '') return config.node.url;
  try {
    return ownUrl(config);
  } catch (error) {
    log.warn({ reason: (error as Error).message }, 'no address for the node link (set NODE_LINK_URL): the other nodes cannot link to this one');
    return undefined;
  }
}

/** Without NODE_URL: the listen address (a wildcard listen cannot name itself). */
function ownUrl(config: Config): string {
  if (config.port === 0) throw new Error('several nodes need NODE_URL or a fixed PORT: the other nodes must reach this one');
  const host = config.host === '0.0.0.0' || config.host === '::' ? undefined : config.host;
  if (!host) throw new Error('several nodes listening on a wildcard address need NODE_URL');
  return `${config.tls ? 'https' : 'http'}://${host.includes(':') ? `[${host}]` : host}:${config.port}`;
}
