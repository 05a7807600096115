import { io, type Socket } from 'socket.io-client';
import {
  ERROR_CODES,
  errorPayloadSchema,
  nodeEndpoints,
  notifications,
  requests,
  type ErrorCode,
  type HandshakeAuth,
  type NotificationData,
  type NotificationName,
  type RequestData,
  type RequestName,
  type ResponseData,
} from '@nomades/shared';
import { ClientError } from './ClientError';
import { RequestPacer } from './RequestPacer';

export interface SignalingOptions {
  /** Base URL of the node, e.g. `window.location.origin` (may carry a path prefix: NODE-2). */
  url: string;
  auth: HandshakeAuth;
  /** Deadline of the connection and of each request. */
  timeoutMs?: number;
}

/** What a zod schema offers that we use (the client does not depend on zod directly). */
type Parser = { safeParse(data: unknown): { success: true; data: unknown } | { success: false; error: { message: string } } };
type Handler = (data: unknown) => void;

/** Requests that open a participation: sent on a fresh socket, never held back. */
const SESSION_REQUESTS: ReadonlySet<RequestName> = new Set(['join', 'resume']);

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(ERROR_CODES, value);
}

/** Reads an acknowledgement `{ ok: true, data } | { ok: false, error }` and validates its data. */
function readAck<N extends RequestName>(name: N, ack: unknown): ResponseData<N> {
  if (isRecord(ack) && ack.ok === true) {
    const parsed = (requests[name].response as Parser).safeParse(ack.data ?? {});
    if (parsed.success) return parsed.data as ResponseData<N>;
    throw new ClientError('INTERNAL', `invalid answer to "${name}": ${parsed.error.message}`);
  }
  if (isRecord(ack) && ack.ok === false) {
    const error = errorPayloadSchema.safeParse(ack.error);
    if (error.success) throw ClientError.fromPayload(error.data);
  }
  throw new ClientError('INTERNAL', `malformed acknowledgement to "${name}"`);
}

/**
 * The socket.io connection to the signaling server: typed requests with a deadline, validated
 * notifications. socket.io's own reconnection is off: MeetingSession decides when to connect
 * again and whether to resume or join anew (SIG-16), on the same socket object so that
 * subscriptions stay. SIG-13: notifications carry a seq; `lastSeq` is the highest one handled and
 * any seq at or below it (a duplicate of a replay) is dropped. While the participation is being
 * recovered, requests other than join/resume wait (`hold`) until it is back (`release`).
 */
export class SignalingClient {
  private socket: Socket;
  private base: string;
  private readonly auth: HandshakeAuth;
  private unreachable: string | undefined;
  private readonly disconnectHandlers: Array<(reason: string) => void> = [];
  private readonly timeoutMs: number;
  private readonly pacer = new RequestPacer();
  private readonly handlers = new Map<NotificationName, Set<Handler>>();
  private closed = false;
  private seq = 0;
  private gate: { opened: Promise<void>; open: () => void } | null = null;
  /** Requests waiting for their answer: failed at once when the connection is lost. */
  private readonly inFlight = new Set<(error: ClientError) => void>();

  constructor({ url, auth, timeoutMs = 10_000 }: SignalingOptions) {
    this.timeoutMs = timeoutMs;
    this.auth = auth;
    this.base = url;
    this.socket = this.open(url);
  }

  /** The base URL of the node this client connects to. */
  get node(): string {
    return this.base;
  }

  /**
   * NODE-2/3: the next connect() goes to another node (the room lives there, or this one stopped
   * answering). Subscriptions stay; the current socket, if any, is dropped.
   */
  retarget(url: string): void {
    if (this.closed || url === this.base) return;
    this.socket.removeAllListeners();
    this.socket.disconnect();
    this.failInFlight('moving to another node');
    this.base = url;
    this.socket = this.open(url);
  }

  /**
   * NODE-5b: the next handshake tells the node that `node` (the room's home it names) did not
   * answer us: it probes it and, if it is gone, places the room again at once. Undefined clears it.
   */
  reportUnreachable(node: string | undefined): void {
    this.unreachable = node;
  }

  private open(base: string): Socket {
    const { origin, socketPath } = nodeEndpoints(base);
    const socket = io(origin, {
      path: socketPath,
      // Read at each connection: NODE-5b's report goes with the next handshake only.
      auth: (send) => send({ token: this.auth.token, roomId: this.auth.roomId, ...(this.unreachable ? { unreachable: this.unreachable } : {}) }),
      transports: ['websocket'],
      autoConnect: false,
      reconnection: false,
      forceNew: true,
    });
    socket.on('disconnect', (reason) => this.failInFlight(`connection lost (${reason})`));
    for (const name of this.handlers.keys()) socket.on(name as string, (raw: unknown, seq: unknown) => this.dispatch(name, raw, seq));
    socket.on('disconnect', (reason) => {
      if (!this.closed && reason !== 'io client disconnect') for (const handler of this.disconnectHandlers) handler(reason);
    });
    return socket;
  }

  get connected(): boolean {
    return !this.closed && this.socket.connected;
  }

  /** Requests are held back (a participation is being recovered). */
  get held(): boolean {
    return this.gate !== null;
  }

  /** The seq of the last notification handled (0 before any), sent in `resume`. */
  get lastSeq(): number {
    return this.seq;
  }

  /** A new participation (join) numbers its notifications from 1 again. */
  resetSeq(): void {
    this.seq = 0;
  }

  /**
   * Resolves once connected; rejects with the server's refusal code (TOKEN_EXPIRED, ROOM_FULL, …)
   * or UNAVAILABLE. Callable again after a lost connection.
   */
  connect(timeoutMs = this.timeoutMs): Promise<void> {
    return new Promise((resolve, reject) => {
      const done = (error?: ClientError): void => {
        clearTimeout(timer);
        this.socket.off('connect', onConnect);
        this.socket.off('connect_error', onError);
        if (error) reject(error);
        else resolve();
      };
      const onConnect = (): void => done();
      const onError = (err: Error & { data?: unknown }): void => {
        const refusal = errorPayloadSchema.safeParse(err.data);
        if (refusal.success) return done(ClientError.fromPayload(refusal.data));
        const code = isRecord(err.data) ? err.data.code : undefined;
        const message = isRecord(err.data) && typeof err.data.message === 'string' ? err.data.message : err.message;
        done(isErrorCode(code) ? new ClientError(code, message) : new ClientError('UNAVAILABLE', message));
      };
      const timer = setTimeout(() => {
        this.socket.disconnect();
        done(new ClientError('UNAVAILABLE', 'timed out connecting to the server'));
      }, timeoutMs);
      if (this.closed) return done(new ClientError('UNAVAILABLE', 'signaling is closed'));
      if (this.socket.connected) return done();
      this.socket.on('connect', onConnect);
      this.socket.on('connect_error', onError);
      this.socket.connect();
    });
  }

  /** Drops the connection (the server ends that participation) without closing this client. */
  drop(): void {
    if (!this.closed) this.socket.disconnect();
  }

  /** Requests other than join/resume wait from now on (a participation is being recovered). */
  hold(): void {
    if (this.gate) return;
    let open!: () => void;
    const opened = new Promise<void>((resolve) => (open = resolve));
    this.gate = { opened, open };
  }

  /** Lets the held requests go (the participation is back, resumed or joined anew). */
  release(): void {
    this.gate?.open();
    this.gate = null;
  }

  /** Sends a request (paced to the server's rate limit); resolves with its validated answer. */
  async request<N extends RequestName>(name: N, data: RequestData<N>, timeoutMs = this.timeoutMs): Promise<ResponseData<N>> {
    if (this.gate && !SESSION_REQUESTS.has(name)) await this.waitForGate(name, timeoutMs);
    await this.pacer.take();
    if (this.closed || !this.socket.connected) throw new ClientError('UNAVAILABLE', `cannot send "${name}": not connected`);
    return new Promise((resolve, reject) => {
      const fail = (error: ClientError): void => {
        this.inFlight.delete(fail);
        reject(error);
      };
      this.inFlight.add(fail);
      this.socket.timeout(timeoutMs).emit(name, data, (err: Error | null, ack: unknown) => {
        if (!this.inFlight.delete(fail)) return; // already failed: the connection was lost
        if (err) return reject(new ClientError('UNAVAILABLE', `no answer to "${name}" within ${timeoutMs} ms`));
        try {
          resolve(readAck(name, ack));
        } catch (error) {
          reject(error);
        }
      });
    });
  }

  /**
   * Subscribes to a server notification; malformed ones are dropped with a warning, duplicates
   * (seq already handled) silently. Returns the unsubscribe function.
   */
  on<N extends NotificationName>(name: N, handler: (data: NotificationData<N>) => void): () => void {
    let set = this.handlers.get(name);
    if (!set) {
      set = new Set();
      this.handlers.set(name, set);
      this.socket.on(name as string, (raw: unknown, seq: unknown) => this.dispatch(name, raw, seq));
    }
    set.add(handler as Handler);
    return () => set.delete(handler as Handler);
  }

  /** Called each time an established connection is lost (not after close() or drop()). */
  onDisconnect(handler: (reason: string) => void): void {
    this.disconnectHandlers.push(handler);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.release();
    this.socket.removeAllListeners();
    this.socket.disconnect();
    this.failInFlight('signaling is closed');
  }

  private failInFlight(why: string): void {
    for (const fail of [...this.inFlight]) fail(new ClientError('UNAVAILABLE', why));
  }

  private dispatch(name: NotificationName, raw: unknown, seq: unknown): void {
    if (typeof seq === 'number' && Number.isSafeInteger(seq)) {
      if (seq <= this.seq) return; // already handled: sent again by a resume
      this.seq = seq;
    }
    const parsed = (notifications[name] as Parser).safeParse(raw);
    if (!parsed.success) {
      console.warn(`dropped malformed "${name}" notification: ${parsed.error.message}`);
      return;
    }
    for (const handler of [...(this.handlers.get(name) ?? [])]) {
      try {
        handler(parsed.data);
      } catch (error) {
        console.error(`handler of "${name}" threw`, error);
      }
    }
  }

  private async waitForGate(name: RequestName, timeoutMs: number): Promise<void> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new ClientError('UNAVAILABLE', `cannot send "${name}": reconnecting`)), timeoutMs);
    });
    try {
      while (this.gate) await Promise.race([this.gate.opened, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }
}
