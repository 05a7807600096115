import { AppError, NODE_LINK_EVENT, NODE_LINK_LIMITS, nodeLinkEnvelopeSchema, type NodeLinkEnvelope } from '@nomades/shared';
import type { Logger } from '../logging/logger.js';
import { PendingRequests } from './PendingRequests.js';

/** What the link needs of a socket.io socket, the accepted one (server) or the dialed one (client). */
export interface LinkSocket {
  emit(event: string, payload: Buffer): unknown;
  on(event: string, listener: (...args: unknown[]) => void): unknown;
  off(event: string, listener?: (...args: unknown[]) => void): unknown;
  disconnect(): unknown;
}

/** Where a connection hands what the other node sends. */
export interface LinkDispatch {
  /** Answers a request (`room` null: the link's own methods); an AppError is sent back as it is. */
  request(room: string | null, method: string, data: unknown): Promise<unknown>;
  event(room: string | null, event: string, data: unknown): void;
  roomClosed(room: string): void;
}

export interface LinkConnectionOptions {
  peer: string;
  socket: LinkSocket;
  dispatch: LinkDispatch;
  requestTimeoutMs: number;
  maxConcurrentHandlers: number;
  log: Logger;
  /** Counts envelopes refused on receipt (malformed, too large). */
  onMalformed: () => void;
}

/**
 * One authenticated socket of the node link (SPAN-2/4): requests, answers, events and room
 * closes as JSON envelopes (shared/src/nodeLink.ts), each sent as one binary frame so that its
 * size is its length on the wire. Nothing the other node sends can throw out of here: a frame
 * that is not an envelope is counted and dropped (a request whose id can be read is answered
 * BAD_REQUEST), a handler's exception is answered INTERNAL, an AppError with its own code.
 */
export class LinkConnection {
  readonly peer: string;
  readonly #socket: LinkSocket;
  readonly #o: LinkConnectionOptions;
  readonly #pending = new PendingRequests();
  readonly #listener = (payload: unknown) => this.receive(payload);
  #handling = 0;
  #closed = false;

  constructor(options: LinkConnectionOptions) {
    this.peer = options.peer;
    this.#socket = options.socket;
    this.#o = options;
    this.#socket.on(NODE_LINK_EVENT, this.#listener);
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Requests sent on this connection and not answered yet. */
  get pending(): number {
    return this.#pending.size;
  }

  request(room: string | null, method: string, data: unknown, timeoutMs = this.#o.requestTimeoutMs): Promise<unknown> {
    if (this.#closed) return Promise.reject(new AppError('UNAVAILABLE', `the link to node ${this.peer} is closed`));
    const { id, answer } = this.#pending.add(timeoutMs, `node ${this.peer}, ${method}`);
    try {
      this.#send({ t: 'req', id, room, method, data });
    } catch (error) {
      this.#pending.settle(id, { error: error as AppError });
    }
    return answer;
  }

  send(room: string | null, event: string, data: unknown): void {
    if (!this.#closed) this.#send({ t: 'evt', room, event, data });
  }

  sendClose(room: string): void {
    if (!this.#closed) this.#trySend({ t: 'close', room });
  }

  /** Rejects what is pending with `error` and stops listening; the socket itself is the caller's. Idempotent. */
  close(error: AppError): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#socket.off(NODE_LINK_EVENT, this.#listener);
    this.#pending.rejectAll(error);
  }

  /** Throws BAD_REQUEST when the envelope cannot be sent (not JSON, too large). */
  #send(envelope: NodeLinkEnvelope): void {
    let json: string | undefined;
    try {
      json = JSON.stringify(envelope);
    } catch (error) {
      throw new AppError('BAD_REQUEST', `node link: the message cannot be sent as JSON (${(error as Error).message})`);
    }
    const bytes = Buffer.from(json, 'utf8');
    if (bytes.length > NODE_LINK_LIMITS.maxMessageBytes) {
      throw new AppError('BAD_REQUEST', `node link: a message of ${bytes.length} bytes is over ${NODE_LINK_LIMITS.maxMessageBytes}`);
    }
    this.#socket.emit(NODE_LINK_EVENT, bytes);
  }

  #trySend(envelope: NodeLinkEnvelope): void {
    try {
      this.#send(envelope);
    } catch (error) {
      this.#o.log.warn({ peer: this.peer, err: (error as Error).message, t: envelope.t }, 'node link: could not send');
    }
  }

  /** One frame of the other node (the socket's listener calls it; a dialer replays what came before). */
  receive(payload: unknown): void {
    if (this.#closed) return;
    let raw: unknown;
    try {
      const bytes = asBytes(payload);
      if (!bytes || bytes.length > NODE_LINK_LIMITS.maxMessageBytes) return this.#malformed('not a frame of the link', payload);
      raw = JSON.parse(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8'));
    } catch {
      return this.#malformed('not JSON', payload);
    }
    const parsed = nodeLinkEnvelopeSchema.safeParse(raw);
    if (!parsed.success) {
      // What can be read of it is answered: the request's sender, or our own request, does not wait for nothing.
      const { t, id } = (typeof raw === 'object' && raw !== null ? raw : {}) as { t?: unknown; id?: unknown };
      const reason = parsed.error.issues[0]?.message ?? 'invalid';
      if (Number.isSafeInteger(id) && (id as number) >= 0) {
        if (t === 'req') this.#trySend({ t: 'err', id: id as number, error: { code: 'BAD_REQUEST', message: `malformed request: ${reason}` } });
        if (t === 'res' || t === 'err') this.#pending.settle(id as number, { error: new AppError('INTERNAL', `node ${this.peer} sent a malformed answer: ${reason}`) });
      }
      return this.#malformed(parsed.error.issues[0]?.message ?? 'invalid envelope', raw);
    }
    const m = parsed.data;
    try {
      switch (m.t) {
        case 'req':
          return void this.#handle(m.id, m.room, m.method, m.data);
        case 'res':
          return void this.#pending.settle(m.id, { data: m.data });
        case 'err':
          return void this.#pending.settle(m.id, { error: new AppError(m.error.code, m.error.message, m.error.params) });
        case 'evt':
          return this.#o.dispatch.event(m.room, m.event, m.data);
        case 'close':
          return this.#o.dispatch.roomClosed(m.room);
        case 'hello':
          return this.#malformed('a hello after the handshake', m.t);
      }
    } catch (error) {
      this.#o.log.error({ peer: this.peer, err: error, t: m.t }, 'node link: a message handler threw');
    }
  }

  async #handle(id: number, room: string | null, method: string, data: unknown): Promise<void> {
    if (this.#handling >= this.#o.maxConcurrentHandlers) {
      return this.#trySend({ t: 'err', id, error: { code: 'UNAVAILABLE', message: `node busy: ${this.#handling} requests of this link in progress` } });
    }
    this.#handling++;
    try {
      const answer = await this.#o.dispatch.request(room, method, data);
      if (this.#closed) return;
      try {
        this.#send({ t: 'res', id, data: answer });
      } catch (error) {
        this.#o.log.error({ peer: this.peer, room, method, err: (error as Error).message }, 'node link: the answer cannot be sent');
        this.#trySend({ t: 'err', id, error: { code: 'INTERNAL', message: `the answer to ${method} cannot be sent` } });
      }
    } catch (error) {
      if (this.#closed) return;
      if (error instanceof AppError) return this.#trySend({ t: 'err', id, error: error.toPayload() });
      this.#o.log.error({ peer: this.peer, room, method, err: error }, 'node link: a request handler failed');
      this.#trySend({ t: 'err', id, error: { code: 'INTERNAL', message: `node failed to handle ${method}` } });
    } finally {
      this.#handling--;
    }
  }

  #malformed(reason: string, sample: unknown): void {
    this.#o.onMalformed();
    this.#o.log.warn({ peer: this.peer, reason, sample: String(typeof sample === 'object' ? JSON.stringify(sample) : sample).slice(0, 120) }, 'node link: refused a malformed message');
  }
}

function asBytes(payload: unknown): Uint8Array | undefined {
  if (payload instanceof Uint8Array) return payload; // Buffer included
  if (payload instanceof ArrayBuffer) return new Uint8Array(payload);
  return undefined;
}
