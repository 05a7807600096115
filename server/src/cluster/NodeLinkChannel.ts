import { AppError, linkNameSchema } from '@nomades/shared';
// The sfu's contract (SPAN-2); a type only, erased at build time.
import type { NodeChannel } from '@nomades/sfu';
import type { Logger } from '../logging/logger.js';

/** What a channel needs of its node link. */
export interface ChannelLink {
  readonly peer: string;
  request(room: string, method: string, data: unknown): Promise<unknown>;
  send(room: string, event: string, data: unknown): void;
  /** The channel is done on this side: forget it, and tell the other node when `tellPeer`. */
  release(channel: NodeLinkChannel, tellPeer: boolean): void;
}

/**
 * SPAN-2/4: the sfu's `NodeChannel` for one room and one other node, over that node's link
 * (`NodeLinks.channel(roomId, nodeId)` on the side that opens it, `NodeLinks.onRoomChannel` on
 * the other). It lives as long as the link's connection it rides on: when that connection
 * drops or the other node is down, it closes for good (onClose), its pending requests reject
 * with UNAVAILABLE, and a new channel must be asked for. `close()` ends it on both sides.
 */
export class NodeLinkChannel implements NodeChannel {
  readonly nodeId: string;
  readonly roomId: string;
  readonly #link: ChannelLink;
  readonly #log: Logger;
  readonly #handlers = new Map<string, (data: unknown) => Promise<unknown>>();
  readonly #listeners = new Map<string, Array<(data: unknown) => void>>();
  readonly #closeListeners: Array<() => void> = [];
  #closed = false;
  #reason: AppError | undefined;

  constructor(roomId: string, link: ChannelLink, log: Logger, closedWith?: AppError) {
    this.roomId = roomId;
    this.nodeId = link.peer;
    this.#link = link;
    this.#log = log;
    if (closedWith) {
      this.#closed = true;
      this.#reason = closedWith;
    }
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** True once this side registered anything: a channel another node opened is kept only then. */
  get claimed(): boolean {
    return this.#handlers.size > 0 || this.#listeners.size > 0 || this.#closeListeners.length > 0;
  }

  request(method: string, data: unknown): Promise<unknown> {
    if (this.#closed) return Promise.reject(this.#unavailable());
    if (!linkNameSchema.safeParse(method).success) return Promise.reject(new AppError('BAD_REQUEST', `invalid method name: ${String(method).slice(0, 70)}`));
    return this.#link.request(this.roomId, method, data);
  }

  /** Fire-and-forget; dropped once closed. Throws BAD_REQUEST for a name or a message the link cannot carry. */
  send(event: string, data: unknown): void {
    if (this.#closed) return;
    if (!linkNameSchema.safeParse(event).success) throw new AppError('BAD_REQUEST', `invalid event name: ${String(event).slice(0, 70)}`);
    this.#link.send(this.roomId, event, data);
  }

  handle(method: string, handler: (data: unknown) => Promise<unknown>): void {
    if (!linkNameSchema.safeParse(method).success) throw new Error(`invalid method name: ${method}`);
    if (this.#handlers.has(method)) throw new Error(`a handler of ${method} is already registered for room ${this.roomId}`);
    this.#handlers.set(method, handler);
  }

  on(event: string, listener: (data: unknown) => void): void {
    if (!linkNameSchema.safeParse(event).success) throw new Error(`invalid event name: ${event}`);
    const list = this.#listeners.get(event) ?? [];
    list.push(listener);
    this.#listeners.set(event, list);
  }

  onClose(listener: () => void): void {
    if (this.#closed) queueMicrotask(() => this.#call(listener));
    else this.#closeListeners.push(listener);
  }

  /** This room's span ended here: the other node's channel closes too. Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#link.release(this, true);
    this.ended(new AppError('UNAVAILABLE', `the channel of room ${this.roomId} with node ${this.nodeId} is closed`));
  }

  /** A request of the other node about this room. */
  async dispatchRequest(method: string, data: unknown): Promise<unknown> {
    const handler = this.#handlers.get(method);
    if (!handler || this.#closed) throw new AppError('NOT_FOUND', `no ${method} for room ${this.roomId} on this node`);
    return handler(data);
  }

  dispatchEvent(event: string, data: unknown): void {
    if (this.#closed) return;
    const list = this.#listeners.get(event);
    if (!list) return this.#log.debug({ room: this.roomId, peer: this.nodeId, event }, 'node link: event nobody listens to');
    for (const listener of [...list]) this.#call(() => listener(data));
  }

  /** Closed by the link (connection lost, node down, the other side closed it): listeners once. */
  ended(reason: AppError): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#reason = reason;
    this.#handlers.clear();
    this.#listeners.clear();
    for (const listener of this.#closeListeners.splice(0)) this.#call(listener);
  }

  #unavailable(): AppError {
    return this.#reason ?? new AppError('UNAVAILABLE', `the channel of room ${this.roomId} with node ${this.nodeId} is closed`);
  }

  #call(fn: () => void): void {
    try {
      fn();
    } catch (error) {
      this.#log.error({ room: this.roomId, peer: this.nodeId, err: error }, 'node link: a channel listener threw');
    }
  }
}
