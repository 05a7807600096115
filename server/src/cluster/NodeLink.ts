import { AppError, type LinkPingAnswer, linkPingAnswerSchema } from '@nomades/shared';
import type { Logger } from '../logging/logger.js';
import { LinkConnection, type LinkSocket } from './LinkConnection.js';
import { NodeLinkChannel, type ChannelLink } from './NodeLinkChannel.js';

/**
 * - `connecting`: no connection yet since the other node was seen live: requests and events wait
 *   for it (requests at most their timeout), in order;
 * - `open`: connected and authenticated both ways;
 * - `lost`: the connection dropped; until it is back, requests fail at once with UNAVAILABLE
 *   (the other node may be dead: nobody waits for it);
 * - `closed`: the other node is down (or this node stops): for good.
 */
export type NodeLinkState = 'connecting' | 'open' | 'lost' | 'closed';

export interface NodeLinkOptions {
  self: string;
  peer: string;
  requestTimeoutMs: number;
  maxPendingRequests: number;
  maxConcurrentHandlers: number;
  log: Logger;
  /** A channel the other node opened about a room: offered to this node's listeners, kept if claimed. */
  offer: (channel: NodeLinkChannel) => void;
  onMalformed: () => void;
}

interface Waiting {
  run: (conn: LinkConnection) => void;
  fail: (error: AppError) => void;
}

/**
 * This node's link with one other node (SPAN-2/4): one connection at a time, dialed by the node
 * whose id sorts first (`LinkDialer`) or accepted from it (`NodeLinks`); every room's channel
 * with that node rides on it. A dropped connection closes every channel on it and rejects its
 * pending requests at once; the link itself comes back when the connection does.
 */
export class NodeLink implements ChannelLink {
  readonly peer: string;
  #state: NodeLinkState = 'connecting';
  #conn: LinkConnection | undefined;
  #socket: LinkSocket | undefined;
  readonly #channels = new Map<string, NodeLinkChannel>();
  readonly #waiting: Waiting[] = [];
  #waitingRequests = 0;
  readonly #o: NodeLinkOptions;
  readonly #log: Logger;
  /** Called when the link closes for good (its dialer stops). */
  onClosed: () => void = () => undefined;

  constructor(options: NodeLinkOptions) {
    this.peer = options.peer;
    this.#o = options;
    this.#log = options.log;
  }

  get state(): NodeLinkState {
    return this.#state;
  }

  /**
   * An authenticated socket to the other node (a newer one replaces the current one); `received`:
   * what it sent while its hello was being checked, handled first.
   */
  attach(socket: LinkSocket, received: unknown[] = []): void {
    if (this.#state === 'closed') return void socket.disconnect();
    if (this.#socket === socket) return;
    const previous = this.#socket;
    if (previous) {
      this.detach(previous, 'replaced by a new connection');
      previous.disconnect();
    }
    this.#socket = socket;
    const conn = new LinkConnection({
      peer: this.peer,
      socket,
      requestTimeoutMs: this.#o.requestTimeoutMs,
      maxConcurrentHandlers: this.#o.maxConcurrentHandlers,
      log: this.#log,
      onMalformed: this.#o.onMalformed,
      dispatch: {
        request: (room, method, data) => this.#answer(room, method, data),
        event: (room, event, data) => this.#event(room, event, data),
        roomClosed: (room) => {
          const channel = this.#channels.get(room);
          this.#channels.delete(room);
          channel?.ended(new AppError('UNAVAILABLE', `node ${this.peer} closed the channel of room ${room}`));
        },
      },
    });
    this.#conn = conn;
    this.#state = 'open';
    this.#log.info({ peer: this.peer }, 'node link open');
    for (const waiting of this.#waiting.splice(0)) waiting.run(conn);
    for (const frame of received) conn.receive(frame);
  }

  /** `socket` dropped: if it was the current one, the link is lost until another comes. */
  detach(socket: LinkSocket, reason: string): void {
    if (socket !== this.#socket) return;
    this.#socket = undefined;
    const conn = this.#conn;
    this.#conn = undefined;
    if (this.#state !== 'closed') this.#state = 'lost';
    this.#log.warn({ peer: this.peer, reason }, 'node link lost');
    this.#endConnection(conn, new AppError('UNAVAILABLE', `the link to node ${this.peer} dropped (${reason})`));
  }

  /** The channel of `room` with the other node (the current one, or a new one). */
  channel(room: string): NodeLinkChannel {
    const current = this.#channels.get(room);
    if (current && !current.closed) return current;
    if (this.#state === 'lost' || this.#state === 'closed') {
      return new NodeLinkChannel(room, this, this.#log, new AppError('UNAVAILABLE', `node ${this.peer} cannot be reached (${this.#state})`));
    }
    const channel = new NodeLinkChannel(room, this, this.#log);
    this.#channels.set(room, channel);
    return channel;
  }

  request(room: string | null, method: string, data: unknown): Promise<unknown> {
    if (this.#state === 'lost' || this.#state === 'closed') {
      return Promise.reject(new AppError('UNAVAILABLE', `node ${this.peer} cannot be reached (${this.#state})`));
    }
    const outstanding = this.#waitingRequests + (this.#conn?.pending ?? 0);
    if (outstanding >= this.#o.maxPendingRequests) {
      return Promise.reject(new AppError('UNAVAILABLE', `node ${this.peer}: ${outstanding} requests already wait for an answer`));
    }
    if (this.#conn) return this.#conn.request(room, method, data);
    // Connecting: sent in order once connected, or UNAVAILABLE at the timeout.
    return new Promise((resolve, reject) => {
      const started = Date.now();
      const entry: Waiting = {
        run: (conn) => {
          clearTimeout(timer);
          this.#waitingRequests--;
          conn.request(room, method, data, Math.max(1, this.#o.requestTimeoutMs - (Date.now() - started))).then(resolve, reject);
        },
        fail: (error) => {
          clearTimeout(timer);
          this.#waitingRequests--;
          reject(error);
        },
      };
      const timer = setTimeout(() => {
        const i = this.#waiting.indexOf(entry);
        if (i >= 0) this.#waiting.splice(i, 1);
        entry.fail(new AppError('UNAVAILABLE', `node ${this.peer}, ${method}: not connected within ${this.#o.requestTimeoutMs} ms`));
      }, this.#o.requestTimeoutMs);
      this.#waitingRequests++;
      this.#waiting.push(entry);
    });
  }

  send(room: string | null, event: string, data: unknown): void {
    if (this.#conn) return this.#conn.send(room, event, data);
    if (this.#state !== 'connecting') return;
    if (this.#waiting.length >= this.#o.maxPendingRequests) return void this.#log.warn({ peer: this.peer, event }, 'node link: event dropped, too many waiting for the connection');
    this.#waiting.push({ run: (conn) => this.#trySend(conn, room, event, data), fail: () => undefined });
  }

  release(channel: NodeLinkChannel, tellPeer: boolean): void {
    if (this.#channels.get(channel.roomId) === channel) this.#channels.delete(channel.roomId);
    if (!tellPeer) return;
    if (this.#conn) this.#conn.sendClose(channel.roomId);
    else if (this.#state === 'connecting') this.#waiting.push({ run: (conn) => conn.sendClose(channel.roomId), fail: () => undefined });
  }

  /** The link's own round trip: the other node's id and clock, and the time it took. */
  async ping(): Promise<LinkPingAnswer & { ms: number }> {
    const started = performance.now();
    const answer = linkPingAnswerSchema.parse(await this.request(null, 'link.ping', {}));
    return { ...answer, ms: Math.round((performance.now() - started) * 10) / 10 };
  }

  /** The other node is down, or this node stops: everything on the link ends. Idempotent. */
  close(reason: AppError): void {
    if (this.#state === 'closed') return;
    this.#state = 'closed';
    const socket = this.#socket;
    const conn = this.#conn;
    this.#socket = undefined;
    this.#conn = undefined;
    this.#endConnection(conn, reason);
    for (const waiting of this.#waiting.splice(0)) waiting.fail(reason);
    socket?.disconnect();
    this.onClosed();
  }

  #endConnection(conn: LinkConnection | undefined, reason: AppError): void {
    conn?.close(reason);
    const channels = [...this.#channels.values()];
    this.#channels.clear();
    for (const channel of channels) channel.ended(reason);
  }

  #trySend(conn: LinkConnection, room: string | null, event: string, data: unknown): void {
    try {
      conn.send(room, event, data);
    } catch (error) {
      this.#log.warn({ peer: this.peer, event, err: (error as Error).message }, 'node link: a waiting event could not be sent');
    }
  }

  async #answer(room: string | null, method: string, data: unknown): Promise<unknown> {
    if (room === null) {
      if (method === 'link.ping') return { node: this.#o.self, time: Date.now() } satisfies LinkPingAnswer;
      throw new AppError('NOT_FOUND', `no link method ${method}`);
    }
    const channel = this.#incoming(room);
    if (!channel) throw new AppError('NOT_FOUND', `room ${room} has nothing for node ${this.peer} here (${method})`);
    return channel.dispatchRequest(method, data);
  }

  #event(room: string | null, event: string, data: unknown): void {
    if (room === null) return void this.#log.debug({ peer: this.peer, event }, 'node link: unknown link event');
    // Only a request opens a room's channel here (a home's first is `shard.createPeer`). An event
    // about a room with no open channel is a late one of a channel this node has closed (the
    // shard's last events of a span that ended cross the home's close): offered, it would open a
    // media shard of the home's own room, which nothing would ever close.
    const channel = this.#channels.get(room);
    if (!channel || channel.closed) return void this.#log.debug({ peer: this.peer, room, event }, 'node link: event about a room with no open channel, dropped');
    channel.dispatchEvent(event, data);
  }

  /** The channel of a room the other node talks about; offered to this node's listeners when new. */
  #incoming(room: string): NodeLinkChannel | undefined {
    const current = this.#channels.get(room);
    if (current && !current.closed) return current;
    const channel = new NodeLinkChannel(room, this, this.#log);
    this.#o.offer(channel);
    if (!channel.claimed) return undefined;
    this.#channels.set(room, channel);
    return channel;
  }
}
