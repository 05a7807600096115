import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { Logger } from '../logging/logger.js';
import { ClusterError } from './ClusterError.js';
import { createClusterRedis, toClusterError } from './clusterRedis.js';
import { defineClusterScripts, type ClusterScripts } from './clusterScripts.js';
import { LivenessTracker } from './LivenessTracker.js';
import { NodeAnnexes } from './NodeAnnexes.js';
import { NodeHeartbeat } from './NodeHeartbeat.js';
import { nodeVersion } from './nodeVersion.js';
import { parseNodeInfo, type AnnexPlacement, type NodeInfo, type NodeLoad, type Placement } from './nodeInfo.js';
import type { Redis } from 'ioredis';

export interface NodeDirectoryOptions {
  /** redis://[:password@]host:port */
  redisUrl: string;
  /** Where clients and other nodes reach this node. */
  url: string;
  /** Stable id (from the configuration), or a random UUID. */
  id?: string;
  /** Prefix of every key, so that several services (and tests) share one Redis. Default `nomades:cluster:`. */
  prefix?: string;
  /** Heartbeat and survey period (ms). Default 1000. */
  heartbeatMs?: number;
  /** Life of a heartbeat (ms): a node silent for this long is dead. Default 3000; must exceed heartbeatMs. */
  ttlMs?: number;
  /** Longest wait between two reconnection attempts (ms). Default 1000. */
  maxReconnectDelayMs?: number;
  /** A Redis command not answered within this time fails (ms). Default max(500, heartbeatMs). */
  commandTimeoutMs?: number;
  /** A node dead for this long is forgotten, with the homes still pointing at it (ms). Default max(60 s, 10 TTL). */
  forgetAfterMs?: number;
  /** The load published with each heartbeat. Default: the rooms hosted here, 0 sessions. */
  load?: () => NodeLoad;
  /** SPAN-5: the software version published (an annex runs the home's). Default: package.json's. */
  version?: string;
  /** SPAN-2: where the other nodes open the node link to this one (its own address). */
  linkUrl?: string;
  /** SPAN-5: the media participants this node takes at most (NODE_MAX_PARTICIPANTS); absent: no limit. */
  maxParticipants?: number;
  log: Logger;
}

export interface NodeDirectoryEvents {
  /** Another node became live (or was live when this directory first looked). */
  nodeUp: [node: NodeInfo];
  /** Another node's heartbeat expired (or it stopped cleanly); `rooms`: what it hosted then. */
  nodeDown: [nodeId: string, rooms: string[]];
  /** A room this node hosted now has another home (it was moved while this node was thought dead). */
  roomLost: [roomId: string, newHome: string];
  /** SPAN-5: a room whose media this node hosts as its annex has another annex (or is now homed here) since this node was thought dead. */
  annexLost: [roomId: string, other: string];
  /** Redis cannot be reached: calls reject with CLUSTER_UNAVAILABLE until `available`. */
  unavailable: [error: ClusterError];
  /** Redis answers again; this node's heartbeat and rooms are written back. */
  available: [];
}

/**
 * "Which node hosts this room?" and "which nodes are alive?" for a service of several identical
 * nodes, over one Redis (see README.md in this folder for the model). Each node runs one
 * directory: it heartbeats its record with a TTL, surveys the live nodes at every heartbeat
 * (emitting nodeUp / nodeDown) and places rooms atomically with Lua scripts. Redis holds nothing
 * the nodes cannot write again: after Redis restarts empty, each node rewrites its heartbeat and
 * claims back the rooms it keeps in memory.
 */
export class NodeDirectory extends EventEmitter<NodeDirectoryEvents> {
  readonly id: string;
  readonly url: string;
  readonly startedAt = Date.now();
  readonly prefix: string;
  readonly version: string;
  readonly linkUrl: string | undefined;
  readonly maxParticipants: number | undefined;
  readonly heartbeatMs: number;
  readonly ttlMs: number;
  readonly #forgetAfterMs: number;
  readonly #redis: Redis & ClusterScripts;
  readonly #log: Logger;
  readonly #load: () => NodeLoad;
  readonly #heartbeat: NodeHeartbeat;
  readonly #tracker: LivenessTracker;
  readonly #annexes: NodeAnnexes;
  #draining = false;
  #available = true;
  #running: Promise<void> | undefined;
  #again = false;
  #timer: NodeJS.Timeout | undefined;
  #closed = false;
  #closing: Promise<void> | undefined;

  private constructor(options: NodeDirectoryOptions) {
    super();
    this.id = options.id ?? randomUUID();
    this.url = options.url;
    this.prefix = options.prefix ?? 'nomades:cluster:';
    this.version = options.version ?? nodeVersion();
    this.linkUrl = options.linkUrl;
    this.maxParticipants = options.maxParticipants;
    this.heartbeatMs = options.heartbeatMs ?? 1000;
    this.ttlMs = options.ttlMs ?? 3000;
    if (!(this.heartbeatMs > 0 && this.ttlMs > this.heartbeatMs)) throw new RangeError(`ttlMs (${this.ttlMs}) must exceed heartbeatMs (${this.heartbeatMs}) > 0`);
    const maxReconnectDelayMs = options.maxReconnectDelayMs ?? 1000;
    this.#forgetAfterMs = options.forgetAfterMs ?? Math.max(60_000, 10 * this.ttlMs);
    this.#log = options.log.child({ name: 'cluster', node: this.id });
    this.#load = options.load ?? (() => ({ rooms: this.#heartbeat.hosted.size, sessions: 0 }));
    // The others need up to maxReconnectDelayMs to reconnect after an outage, then one heartbeat.
    this.#tracker = new LivenessTracker(this.ttlMs + maxReconnectDelayMs);
    const redis = createClusterRedis(options.redisUrl, { maxReconnectDelayMs, commandTimeoutMs: options.commandTimeoutMs ?? Math.max(500, this.heartbeatMs) });
    // Without a listener an 'error' would crash the process; outages are logged once by #unavailable.
    redis.on('error', (error) => this.#log.debug({ err: error }, 'redis connection error'));
    redis.on('close', () => this.#tracker.disconnected());
    this.#redis = defineClusterScripts(redis);
    this.#annexes = new NodeAnnexes({
      redis: this.#redis,
      prefix: this.prefix,
      id: this.id,
      version: this.version,
      call: (what, fn) => this.#call(what, fn),
      log: this.#log,
    });
    this.#heartbeat = new NodeHeartbeat({
      redis: this.#redis,
      prefix: this.prefix,
      id: this.id,
      ttlMs: this.ttlMs,
      record: () => this.info(),
      onRoomLost: (room, home) => this.#notify('roomLost', room, home),
      annexes: () => this.#annexes.hosted(),
      onAnnexLost: (room, other) => {
        this.#annexes.lost(room);
        this.#notify('annexLost', room, other);
      },
      log: this.#log,
    });
  }

  /** Connects, writes the first heartbeat and reads the live nodes. Rejects with CLUSTER_UNAVAILABLE if Redis cannot be reached. */
  static async start(options: NodeDirectoryOptions): Promise<NodeDirectory> {
    const directory = new NodeDirectory(options);
    try {
      await directory.#redis.connect();
      directory.#tracker.connected();
      await directory.#beat();
    } catch (error) {
      await directory.close();
      throw toClusterError(error, 'start');
    }
    // After a reconnection, heartbeat at once rather than at the next period.
    directory.#redis.on('ready', () => {
      directory.#tracker.connected();
      directory.#tick();
    });
    directory.#schedule(directory.heartbeatMs);
    directory.#log.info({ url: directory.url, prefix: directory.prefix }, 'joined the node directory');
    return directory;
  }

  get draining(): boolean {
    return this.#draining;
  }

  /** This node's record as it publishes it. */
  info(): NodeInfo {
    return {
      id: this.id,
      url: this.url,
      startedAt: this.startedAt,
      load: this.#load(),
      draining: this.#draining,
      version: this.version,
      ...(this.linkUrl ? { linkUrl: this.linkUrl } : {}),
      ...(this.maxParticipants !== undefined ? { maxParticipants: this.maxParticipants } : {}),
    };
  }

  /** The rooms this node hosts, as it keeps them in memory. */
  hostedRooms(): string[] {
    return this.#heartbeat.hosted.list();
  }

  async liveNodes(): Promise<NodeInfo[]> {
    const records = await this.#call('liveNodes', () => this.#redis.clusterLive(this.prefix));
    return records.flatMap((json) => this.#parse(json));
  }

  /**
   * The room's home if it is alive; otherwise (no home, or a dead one) the least loaded live
   * node that is not draining becomes its home, atomically. Rejects with NO_ELIGIBLE_NODE when
   * there is none.
   */
  async placeRoom(roomId: string): Promise<Placement> {
    checkId(roomId);
    const answer = await this.#call('placeRoom', () => this.#redis.clusterPlace(this.prefix, roomId));
    if (answer.length === 0) throw new ClusterError('NO_ELIGIBLE_NODE', `no live node accepts new rooms (room ${roomId})`);
    const [json, placed, previousHome] = answer;
    const node = parseNodeInfo(json);
    this.#noteHome(roomId, node.id);
    if (placed === 1) this.#log.debug({ room: roomId, home: node.id, previousHome: previousHome || undefined }, 'room placed');
    return { node, placed: placed === 1, ...(previousHome ? { previousHome } : {}) };
  }

  /**
   * SPAN-5: the room's annex if it has one, alive and not its home; otherwise the least loaded
   * live node other than the home, not draining, of this node's version, with a link address and
   * under its NODE_MAX_PARTICIPANTS becomes its annex, atomically (two calls at once agree).
   * Rejects with NO_ELIGIBLE_NODE when there is none (SPAN-5: then ROOM_FULL).
   */
  placeAnnex(roomId: string, homeNodeId: string = this.id): Promise<AnnexPlacement> {
    checkId(roomId);
    return this.#annexes.place(roomId, homeNodeId);
  }

  /** Drops the room's annex if it is still `nodeId` (this node by default): true if it was. */
  releaseAnnex(roomId: string, nodeId: string = this.id): Promise<boolean> {
    checkId(roomId);
    return this.#annexes.release(roomId, nodeId);
  }

  /** The room's annex if it has one and it is alive. */
  annexOf(roomId: string): Promise<NodeInfo | undefined> {
    checkId(roomId);
    return this.#annexes.annexOf(roomId);
  }

  /** The rooms a node is the annex of, as placed (sorted). */
  annexRoomsOf(nodeId: string): Promise<string[]> {
    return this.#annexes.roomsOf(nodeId);
  }

  /** SPAN-6: this node hosts media of the room as its annex (kept in memory, claimed back if Redis loses it). */
  annexOpened(roomId: string): void {
    this.#annexes.opened(roomId);
  }

  /** The rooms whose media this node hosts as their annex, as it keeps them in memory. */
  annexRooms(): string[] {
    return this.#annexes.hosted();
  }

  /** The room's home if it has one and it is alive. */
  async homeOf(roomId: string): Promise<NodeInfo | undefined> {
    checkId(roomId);
    const json = await this.#call('homeOf', () => this.#redis.clusterHome(this.prefix, roomId));
    return json ? this.#parse(json)[0] : undefined;
  }

  /**
   * NODE-5b: the node was seen gone (its port refuses connections, NodeProbe): its heartbeat key
   * is deleted if it is still that run's record, and the next placement moves its rooms. True when
   * buried.
   */
  async bury(node: NodeInfo): Promise<boolean> {
    if (node.id === this.id) return false;
    const buried = (await this.#call('bury', () => this.#redis.clusterBury(this.prefix, node.id, node.startedAt))) === 1;
    if (buried) this.#log.warn({ dead: node.id, url: node.url }, 'node refuses connections: declared dead before its heartbeat expired');
    return buried;
  }

  /** The rooms homed on a node; for a dead node, those it hosted when it died (until it is forgotten). */
  async roomsOf(nodeId: string): Promise<string[]> {
    return this.#call('roomsOf', () => this.#redis.smembers(`${this.prefix}hosted:${nodeId}`));
  }

  /** Drops the room's home if it is still `nodeId` (this node by default): true if it was. */
  async releaseRoom(roomId: string, nodeId: string = this.id): Promise<boolean> {
    checkId(roomId);
    const released = await this.#call('releaseRoom', () => this.#redis.clusterRelease(this.prefix, roomId, nodeId));
    if (nodeId === this.id) this.#heartbeat.hosted.delete(roomId);
    return released === 1;
  }

  /**
   * A draining node keeps its rooms but gets no new ones (SIGTERM: let the meetings end here).
   * Published at once; if Redis is away the call rejects, and the next heartbeat publishes it.
   */
  async setDraining(draining: boolean): Promise<void> {
    this.#draining = draining;
    await this.#call('setDraining', () => this.#heartbeat.beat());
  }

  /**
   * Stops the timers, deletes this node's heartbeat (the others see it gone at once, and its
   * rooms can be placed again) and closes the connection. Idempotent.
   */
  close(): Promise<void> {
    this.#closing ??= this.#shutdown();
    return this.#closing;
  }

  async #shutdown(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#timer);
    await this.#running;
    await this.#heartbeat.stop();
    const wasStarted = this.#heartbeat.written;
    if (wasStarted) {
      try {
        await this.#redis.del(`${this.prefix}node:${this.id}`);
      } catch (error) {
        this.#log.warn({ err: error }, 'could not delete the heartbeat: the others will see this node dead when it expires');
      }
    }
    try {
      await this.#redis.quit();
    } catch {
      // Not connected: nothing to say goodbye to.
    } finally {
      this.#redis.disconnect();
    }
    if (wasStarted) this.#log.info('left the node directory');
  }

  /** One heartbeat, survey and clean-up; a failure marks Redis unavailable until one succeeds. */
  #tick(): void {
    if (this.#closed) return;
    if (this.#running) {
      this.#again = true;
      return;
    }
    clearTimeout(this.#timer);
    const started = Date.now();
    this.#running = this.#beat()
      .then(() => this.#availableAgain(), (error: unknown) => this.#unavailable(error))
      .finally(() => {
        this.#running = undefined;
        const delay = this.#again ? 0 : Math.max(0, this.heartbeatMs - (Date.now() - started));
        this.#again = false;
        this.#schedule(delay);
      });
  }

  #schedule(delay: number): void {
    if (!this.#closed) this.#timer = setTimeout(() => this.#tick(), delay);
  }

  async #beat(): Promise<void> {
    await this.#heartbeat.beat();
    // Polling rather than keyspace notifications: a missed notification (we were disconnected,
    // or Redis expires keys lazily) would never be sent again, a survey is simply repeated.
    const live = (await this.#redis.clusterLive(this.prefix)).flatMap((json) => this.#parse(json));
    const { up, down } = this.#tracker.update(live.filter((n) => n.id !== this.id));
    for (const node of up) this.#notify('nodeUp', node);
    for (const id of down) {
      const rooms = await this.#redis.smembers(`${this.prefix}hosted:${id}`);
      this.#tracker.forget(id);
      this.#log.info({ down: id, rooms: rooms.length }, 'node down');
      this.#notify('nodeDown', id, rooms);
    }
    await this.#redis.clusterReap(this.prefix, this.#forgetAfterMs, 100);
  }

  /** What placeRoom() learnt of a room's home, applied to the rooms kept in memory. */
  #noteHome(roomId: string, homeId: string): void {
    const hosted = this.#heartbeat.hosted;
    if (homeId === this.id) hosted.add(roomId);
    else if (hosted.delete(roomId)) this.#notify('roomLost', roomId, homeId);
  }

  #availableAgain(): void {
    this.#tracker.connected();
    if (this.#available) return;
    this.#available = true;
    this.#log.info('redis reachable again: heartbeat and rooms written back');
    this.#notify('available');
  }

  #unavailable(error: unknown): void {
    this.#tracker.disconnected();
    const mapped = toClusterError(error, 'heartbeat');
    if (!(mapped instanceof ClusterError)) {
      this.#log.error({ err: mapped }, 'node directory heartbeat failed');
      return;
    }
    if (!this.#available) return;
    this.#available = false;
    this.#log.warn({ err: error }, 'redis unreachable: the node directory retries at every heartbeat');
    this.#notify('unavailable', mapped);
  }

  async #call<T>(what: string, fn: () => Promise<T>): Promise<T> {
    if (this.#closed) throw new ClusterError('CLOSED', `node directory closed (${what})`);
    try {
      return await fn();
    } catch (error) {
      throw toClusterError(error, what);
    }
  }

  #parse(json: string): NodeInfo[] {
    try {
      return [parseNodeInfo(json)];
    } catch (error) {
      this.#log.warn({ err: error }, 'ignored a node record it cannot read');
      return [];
    }
  }

  /** Emits without letting a listener's exception pass for a Redis failure. */
  #notify<K extends keyof NodeDirectoryEvents>(event: K, ...args: NodeDirectoryEvents[K]): void {
    try {
      (this.emit as (e: K, ...a: NodeDirectoryEvents[K]) => boolean)(event, ...args);
    } catch (error) {
      this.#log.error({ err: error, event }, 'a node directory listener threw');
    }
  }
}

function checkId(id: string): void {
  if (typeof id !== 'string' || id.length === 0 || id.length > 256) throw new TypeError(`invalid room id: ${String(id).slice(0, 40)}`);
}
