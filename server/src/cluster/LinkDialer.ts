import { io, type Socket } from 'socket.io-client';
import { NODE_LINK_EVENT, NODE_LINK_LIMITS, NODE_LINK_PATH, nodeLinkEnvelopeSchema } from '@nomades/shared';
import type { Logger } from '../logging/logger.js';
import type { LinkSocket } from './LinkConnection.js';
import type { NodeLinkTokens } from './NodeLinkTokens.js';

export interface LinkDialerOptions {
  self: string;
  peer: string;
  /** The other node's own address (its NodeInfo `linkUrl`), never through the front. */
  url: string;
  tokens: NodeLinkTokens;
  log: Logger;
  /** Connected, and the other node proved who it is; `received`: frames that came after its hello. */
  onOpen: (socket: LinkSocket, received: unknown[]) => void;
  /** That socket dropped (the dialer tries again by itself). */
  onDrop: (socket: LinkSocket, reason: string) => void;
}

/**
 * The dialing side of a node link (SPAN-2): connects to the other node's `/node-link` with a
 * fresh token at each attempt (iss = this node, aud = that one), waits for the other node's
 * own token (the `hello` envelope, aud = this node), and tries again with an exponential backoff
 * (NODE_LINK_LIMITS.reconnectMinMs … reconnectMaxMs, jittered) after any failure or drop, until
 * closed. Each attempt is a new socket.io client of its own (no shared manager).
 */
export class LinkDialer {
  readonly #o: LinkDialerOptions;
  readonly #origin: string;
  readonly #path: string;
  #socket: Socket | undefined;
  #timer: NodeJS.Timeout | undefined;
  #failures = 0;
  #closed = false;

  constructor(options: LinkDialerOptions) {
    this.#o = options;
    const url = new URL(options.url);
    this.#origin = url.origin;
    this.#path = `${url.pathname.replace(/\/+$/, '')}${NODE_LINK_PATH}`;
    this.#dial();
  }

  close(): void {
    this.#closed = true;
    clearTimeout(this.#timer);
    this.#drop();
  }

  #dial(): void {
    if (this.#closed) return;
    const { self, peer, tokens, log } = this.#o;
    const socket = io(this.#origin, {
      path: this.#path,
      transports: ['websocket'],
      forceNew: true,
      multiplex: false,
      reconnection: false,
      timeout: NODE_LINK_LIMITS.requestTimeoutMs,
      // Passed on to `ws`: a frame of the other node larger than an envelope closes the connection.
      maxPayload: NODE_LINK_LIMITS.maxMessageBytes + 1024,
      auth: (cb: (data: object) => void) => void tokens.mint(self, peer).then((token) => cb({ token }), () => cb({})),
    } as Parameters<typeof io>[1]);
    this.#socket = socket;
    const link: LinkSocket = {
      emit: (event, payload) => socket.emit(event, payload),
      on: (event, listener) => socket.on(event, listener),
      off: (event, listener) => socket.off(event, listener),
      disconnect: () => socket.disconnect(),
    };
    let opened = false;
    let helloTimer: NodeJS.Timeout | undefined;
    const received: unknown[] = [];
    let hello: Promise<void> | undefined;
    const beforeOpen = (payload: unknown) => {
      if (hello) return void (received.length < 1000 ? received.push(payload) : this.#retry(socket, 'too many frames before its hello'));
      hello = this.#checkHello(payload).then(() => {
        clearTimeout(helloTimer);
        if (socket !== this.#socket || !socket.connected) return;
        socket.off(NODE_LINK_EVENT, beforeOpen);
        opened = true;
        this.#failures = 0;
        this.#o.onOpen(link, received.splice(0));
      }, (error: Error) => this.#retry(socket, `its hello was refused: ${error.message}`, 'error'));
    };
    socket.on(NODE_LINK_EVENT, beforeOpen);
    socket.on('connect', () => {
      helloTimer = setTimeout(() => this.#retry(socket, 'no hello'), NODE_LINK_LIMITS.requestTimeoutMs);
    });
    socket.on('connect_error', (error: Error & { data?: { code?: string; message?: string } }) => {
      this.#retry(socket, error.data?.message ? `refused: ${error.data.code} ${error.data.message}` : error.message);
    });
    socket.on('disconnect', (reason: string) => {
      clearTimeout(helloTimer);
      if (opened) this.#o.onDrop(link, reason);
      opened = false;
      this.#retry(socket, reason);
    });
    log.debug({ peer, url: this.#o.url }, 'node link: dialing');
    socket.connect();
  }

  async #checkHello(payload: unknown): Promise<void> {
    if (!(payload instanceof Uint8Array) || payload.length > NODE_LINK_LIMITS.maxTokenLength + 100) throw new Error('not a hello frame');
    const envelope = nodeLinkEnvelopeSchema.parse(JSON.parse(Buffer.from(payload).toString('utf8')));
    if (envelope.t !== 'hello') throw new Error(`a ${envelope.t} before the hello`);
    const issuer = await this.#o.tokens.verify(envelope.token, this.#o.self);
    if (issuer !== this.#o.peer) throw new Error(`node ${issuer} answers at the address of node ${this.#o.peer}`);
  }

  /** Drops `socket` (if it is still the current one) and dials again after the backoff. */
  #retry(socket: Socket, reason: string, level: 'debug' | 'error' = 'debug'): void {
    if (socket !== this.#socket || this.#closed) return;
    this.#drop();
    const base = Math.min(NODE_LINK_LIMITS.reconnectMaxMs, NODE_LINK_LIMITS.reconnectMinMs * 2 ** Math.min(this.#failures, 10));
    const delay = Math.round(base * (0.5 + Math.random() / 2));
    this.#failures++;
    // Logged at the first failure of a streak, and every 10th after (a node may be unreachable for long).
    const log = this.#o.log;
    if (level === 'error') log.error({ peer: this.#o.peer, url: this.#o.url, reason }, 'node link: the other node could not prove who it is');
    else if (this.#failures === 1 || this.#failures % 10 === 0) log.warn({ peer: this.#o.peer, url: this.#o.url, reason, failures: this.#failures, retryInMs: delay }, 'node link: cannot connect, retrying');
    this.#timer = setTimeout(() => this.#dial(), delay);
  }

  #drop(): void {
    const socket = this.#socket;
    this.#socket = undefined;
    if (!socket) return;
    socket.removeAllListeners();
    socket.disconnect();
  }
}
