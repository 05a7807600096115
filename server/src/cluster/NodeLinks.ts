import type http from 'node:http';
import { Server as IoServer, type Socket } from 'socket.io';
import { AppError, NODE_LINK_EVENT, NODE_LINK_LIMITS, NODE_LINK_PATH, roomIdSchema, type LinkPingAnswer } from '@nomades/shared';
import type { Logger } from '../logging/logger.js';
import type { LinkSocket } from './LinkConnection.js';
import { LinkDialer } from './LinkDialer.js';
import { NodeLink, type NodeLinkState } from './NodeLink.js';
import type { NodeLinkChannel } from './NodeLinkChannel.js';
import { NodeLinkTokens } from './NodeLinkTokens.js';
import type { NodeDirectory } from './NodeDirectory.js';
import type { NodeInfo } from './nodeInfo.js';

export interface NodeLinksOptions {
  /** This node's HTTP server: the link is served on its port at NODE_LINK_PATH. */
  server: http.Server;
  directory: NodeDirectory;
  /** The service's TOKEN_SECRET (the link key is derived from it). */
  tokenSecret: string;
  log: Logger;
  requestTimeoutMs?: number;
  maxPendingRequests?: number;
  maxConcurrentHandlers?: number;
}

/** Counts of what the link refused since start. */
export interface NodeLinkStats {
  /** Connections refused at the handshake (token, audience, unknown node, through the front). */
  refused: number;
  /** Frames refused on receipt (not an envelope, too large). */
  malformed: number;
}

type RoomChannelListener = (roomId: string, channel: NodeLinkChannel) => void;

/**
 * SPAN-2/4: this node's authenticated links with the other live nodes, one connection per pair
 * of nodes, multiplexing every room's `NodeChannel` (sfu/src/remote/NodeChannel.ts) with each.
 *
 * - Served on this node's own HTTP port at `/node-link` (socket.io, WebSocket only, 1 MiB frames),
 *   dialed at the other node's `linkUrl` (its own address, never through the front).
 * - Of two nodes, the one whose id sorts first dials (`LinkDialer`), as soon as the directory
 *   shows the other live; the other accepts: a token of the caller (iss) for this node (aud),
 *   HS256 with the link key, at most 60 s, once; the caller must be live in the directory. The
 *   accepting node then proves itself with its own token (`hello`).
 * - `channel(roomId, nodeId)` opens this node's side of a room's channel with a node;
 *   `onRoomChannel(listener)` is told of the channels other nodes open about a room here (the
 *   listener registers the channel's handlers at once, or the channel is refused: NOT_FOUND).
 * - A node the directory reports down: its link closes, every channel on it closes (`onClose`),
 *   its pending requests reject with UNAVAILABLE. A dropped connection does the same to the
 *   channels on it; the link itself comes back with the connection.
 */
export class NodeLinks {
  readonly nodeId: string;
  readonly stats: NodeLinkStats = { refused: 0, malformed: 0 };
  readonly #o: NodeLinksOptions;
  readonly #log: Logger;
  readonly #tokens: NodeLinkTokens;
  readonly #io: IoServer;
  readonly #links = new Map<string, NodeLink>();
  readonly #listeners: RoomChannelListener[] = [];
  #closed = false;

  private constructor(options: NodeLinksOptions) {
    this.#o = options;
    this.nodeId = options.directory.id;
    this.#log = options.log.child({ name: 'node-link', node: this.nodeId });
    this.#tokens = new NodeLinkTokens(options.tokenSecret);
    this.#io = new IoServer(options.server, {
      path: NODE_LINK_PATH,
      transports: ['websocket'],
      maxHttpBufferSize: NODE_LINK_LIMITS.maxMessageBytes + 1024,
      pingInterval: NODE_LINK_LIMITS.pingIntervalMs,
      pingTimeout: NODE_LINK_LIMITS.pingTimeoutMs,
      connectTimeout: NODE_LINK_LIMITS.requestTimeoutMs,
      serveClient: false,
      // The other upgrades of this HTTP server (/socket.io/, /collab) are not ours to destroy.
      destroyUpgrade: false,
    });
    this.#io.use((socket, next) => void this.#admit(socket).then(() => next(), (error: unknown) => {
      this.stats.refused++;
      const appError = error instanceof AppError ? error : new AppError('INTERNAL', 'node link handshake failed');
      if (!(error instanceof AppError)) this.#log.error({ err: error }, 'node link: handshake failed');
      else this.#log.warn({ code: appError.code, remote: socket.handshake.address }, `node link refused: ${appError.message}`);
      next(Object.assign(new Error(appError.message), { data: appError.toPayload() }));
    }));
    this.#io.on('connection', (socket) => void this.#accept(socket));
  }

  /**
   * Starts serving `/node-link` on `server` and linking with the live nodes. Call it once the
   * HTTP server's request listener (the express app) is attached: engine.io wraps the listeners
   * it finds, and one added after it would answer `/node-link/` requests too.
   */
  static async start(options: NodeLinksOptions): Promise<NodeLinks> {
    const links = new NodeLinks(options);
    const { directory } = options;
    directory.on('nodeUp', (node) => links.#ensure(node.id, node));
    directory.on('nodeDown', (nodeId) => links.#nodeDown(nodeId));
    try {
      for (const node of await directory.liveNodes()) if (node.id !== links.nodeId) links.#ensure(node.id, node);
    } catch (error) {
      // Redis away at this moment: the links are made as the directory's nodeUp come.
      links.#log.warn({ err: (error as Error).message }, 'node link: the live nodes could not be read at start');
    }
    return links;
  }

  /**
   * This node's side of room `roomId`'s channel with node `nodeId` (the current one, or a new
   * one). A node not live, or not reachable since its connection dropped, gives a channel that
   * is already closed: its requests reject with UNAVAILABLE, its onClose listeners run at once.
   */
  channel(roomId: string, nodeId: string): NodeLinkChannel {
    if (!roomIdSchema.safeParse(roomId).success) throw new AppError('BAD_REQUEST', `invalid room id: ${String(roomId).slice(0, 70)}`);
    if (nodeId === this.nodeId) throw new Error('a node has no link to itself');
    return this.#ensure(nodeId).channel(roomId);
  }

  /** Told of each channel another node opens about a room here; register its handlers synchronously. */
  onRoomChannel(listener: RoomChannelListener): () => void {
    this.#listeners.push(listener);
    return () => {
      const i = this.#listeners.indexOf(listener);
      if (i >= 0) this.#listeners.splice(i, 1);
    };
  }

  /** `link.ping`: the other node's id and clock over the link, and the round trip in ms. */
  ping(nodeId: string): Promise<LinkPingAnswer & { ms: number }> {
    if (nodeId === this.nodeId) return Promise.resolve({ node: this.nodeId, time: Date.now(), ms: 0 });
    return this.#ensure(nodeId).ping();
  }

  /** Each known node's link state. */
  states(): Record<string, NodeLinkState> {
    return Object.fromEntries([...this.#links].map(([id, link]) => [id, link.state]));
  }

  /** Closes every link (their channels close, pending requests reject) and refuses new connections. Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    const reason = new AppError('UNAVAILABLE', 'this node is stopping');
    for (const link of [...this.#links.values()]) link.close(reason);
    this.#links.clear();
    // Not io.close(): that would close the HTTP server, which other parts still use.
    this.#io.disconnectSockets(true);
    this.#io.engine.close();
  }

  /** The link with `nodeId`, made when missing (with its record when known, else checked live first). */
  #ensure(nodeId: string, info?: NodeInfo): NodeLink {
    const known = this.#links.get(nodeId);
    if (known && known.state !== 'closed') return known;
    const link = new NodeLink({
      self: this.nodeId,
      peer: nodeId,
      requestTimeoutMs: this.#o.requestTimeoutMs ?? NODE_LINK_LIMITS.requestTimeoutMs,
      maxPendingRequests: this.#o.maxPendingRequests ?? NODE_LINK_LIMITS.maxPendingRequests,
      maxConcurrentHandlers: this.#o.maxConcurrentHandlers ?? NODE_LINK_LIMITS.maxConcurrentHandlers,
      log: this.#log,
      offer: (channel) => this.#offer(channel),
      onMalformed: () => this.stats.malformed++,
    });
    this.#links.set(nodeId, link);
    if (this.#closed) {
      link.close(new AppError('UNAVAILABLE', 'this node is stopping'));
      return link;
    }
    if (info) this.#start(link, info);
    else {
      void this.#o.directory.liveNodes().then(
        (nodes) => {
          const node = nodes.find((n) => n.id === nodeId);
          if (node) this.#start(link, node);
          else this.#retire(link, new AppError('UNAVAILABLE', `node ${nodeId} is not live`));
        },
        (error: Error) => this.#retire(link, new AppError('UNAVAILABLE', `node ${nodeId}: the directory cannot be read (${error.message})`)),
      );
    }
    return link;
  }

  /** Dials the node if this one dials (its id sorts first); otherwise waits for it to dial. */
  #start(link: NodeLink, node: NodeInfo): void {
    if (link.state === 'closed' || this.nodeId > node.id) return;
    if (!node.linkUrl) return this.#retire(link, new AppError('UNAVAILABLE', `node ${node.id} publishes no link address`));
    const dialer = new LinkDialer({
      self: this.nodeId,
      peer: node.id,
      url: node.linkUrl,
      tokens: this.#tokens,
      log: this.#log,
      onOpen: (socket, received) => link.attach(socket, received),
      onDrop: (socket, reason) => link.detach(socket, reason),
    });
    link.onClosed = () => dialer.close();
  }

  #retire(link: NodeLink, reason: AppError): void {
    link.close(reason);
    if (this.#links.get(link.peer) === link) this.#links.delete(link.peer);
  }

  #nodeDown(nodeId: string): void {
    const link = this.#links.get(nodeId);
    if (!link) return;
    this.#log.info({ peer: nodeId }, 'node link closed: the directory reports the node down');
    this.#retire(link, new AppError('UNAVAILABLE', `node ${nodeId} is down`));
  }

  /** Handshake of a node dialing this one: who it is (its token), that it is live, that it dials us. */
  async #admit(socket: Socket): Promise<void> {
    if (this.#closed) throw new AppError('UNAVAILABLE', 'this node is stopping');
    if (socket.handshake.headers['x-forwarded-prefix'] !== undefined) throw new AppError('FORBIDDEN', 'the node link is not served through the front');
    const peer = await this.#tokens.verify((socket.handshake.auth as Record<string, unknown> | undefined)?.token, this.nodeId);
    if (peer > this.nodeId) throw new AppError('CONFLICT', `node ${peer}: of two nodes, the one whose id sorts first dials (this one dials you)`);
    const node = (await this.#o.directory.liveNodes()).find((n) => n.id === peer);
    if (!node) throw new AppError('UNAUTHORIZED', `node ${peer} is not live in the directory`);
    (socket.data as { node?: NodeInfo }).node = node;
  }

  /** An admitted connection: this node proves itself (hello), then the link with that node runs on it. */
  async #accept(socket: Socket): Promise<void> {
    const node = (socket.data as { node: NodeInfo }).node;
    const link = this.#ensure(node.id, node);
    const wrapped: LinkSocket = {
      emit: (event, payload) => socket.emit(event, payload),
      on: (event, listener) => socket.on(event, listener),
      off: (event, listener) => socket.off(event, listener as never),
      disconnect: () => socket.disconnect(true),
    };
    socket.on('disconnect', (reason) => link.detach(wrapped, reason));
    try {
      const token = await this.#tokens.mint(this.nodeId, node.id);
      if (!socket.connected) return;
      socket.emit(NODE_LINK_EVENT, Buffer.from(JSON.stringify({ t: 'hello', token })));
      link.attach(wrapped);
    } catch (error) {
      this.#log.error({ peer: node.id, err: error }, 'node link: could not answer a connection');
      socket.disconnect(true);
    }
  }

  #offer(channel: NodeLinkChannel): void {
    for (const listener of [...this.#listeners]) {
      try {
        listener(channel.roomId, channel);
      } catch (error) {
        this.#log.error({ room: channel.roomId, peer: channel.nodeId, err: error }, 'node link: a room channel listener threw');
      }
    }
  }
}
