import { io, type Socket } from 'socket.io-client';
import {
  ERROR_CODES,
  errorPayloadSchema,
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
  /** Origin of the server, e.g. `window.location.origin`. */
  url: string;
  auth: HandshakeAuth;
  /** Deadline of the connection and of each request. */
  timeoutMs?: number;
}

/** What a zod schema offers that we use (the client does not depend on zod directly). */
type Parser = { safeParse(data: unknown): { success: true; data: unknown } | { success: false; error: { message: string } } };

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
    if (error.success) throw new ClientError(error.data.code, error.data.message);
  }
  throw new ClientError('INTERNAL', `malformed acknowledgement to "${name}"`);
}

/**
 * One socket.io connection to the signaling server: typed requests with a deadline, validated
 * notifications. It never reconnects by itself (a new session needs a new join).
 */
export class SignalingClient {
  private readonly socket: Socket;
  private readonly timeoutMs: number;
  private readonly pacer = new RequestPacer();
  private closed = false;

  constructor({ url, auth, timeoutMs = 10_000 }: SignalingOptions) {
    this.timeoutMs = timeoutMs;
    this.socket = io(url, {
      auth: { token: auth.token, roomId: auth.roomId },
      transports: ['websocket'],
      autoConnect: false,
      reconnection: false,
      forceNew: true,
    });
  }

  /** Resolves once connected; rejects with the server's refusal code (TOKEN_EXPIRED, ROOM_FULL, …). */
  connect(): Promise<void> {
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
        const code = isRecord(err.data) ? err.data.code : undefined;
        const message = isRecord(err.data) && typeof err.data.message === 'string' ? err.data.message : err.message;
        done(isErrorCode(code) ? new ClientError(code, message) : new ClientError('UNAVAILABLE', message));
      };
      const timer = setTimeout(() => {
        this.socket.disconnect();
        done(new ClientError('UNAVAILABLE', 'timed out connecting to the server'));
      }, this.timeoutMs);
      if (this.closed) return done(new ClientError('UNAVAILABLE', 'signaling is closed'));
      this.socket.on('connect', onConnect);
      this.socket.on('connect_error', onError);
      this.socket.connect();
    });
  }

  /** Sends a request (paced to the server's rate limit); resolves with its validated answer. */
  async request<N extends RequestName>(name: N, data: RequestData<N>, timeoutMs = this.timeoutMs): Promise<ResponseData<N>> {
    await this.pacer.take();
    if (this.closed || !this.socket.connected) throw new ClientError('UNAVAILABLE', `cannot send "${name}": not connected`);
    return new Promise((resolve, reject) => {
      this.socket.timeout(timeoutMs).emit(name, data, (err: Error | null, ack: unknown) => {
        if (err) return reject(new ClientError('UNAVAILABLE', `no answer to "${name}" within ${timeoutMs} ms`));
        try {
          resolve(readAck(name, ack));
        } catch (error) {
          reject(error);
        }
      });
    });
  }

  /** Subscribes to a server notification; malformed ones are dropped with a warning. */
  on<N extends NotificationName>(name: N, handler: (data: NotificationData<N>) => void): void {
    const schema = notifications[name] as Parser;
    this.socket.on(name as string, (raw: unknown) => {
      const parsed = schema.safeParse(raw);
      if (!parsed.success) {
        console.warn(`dropped malformed "${name}" notification: ${parsed.error.message}`);
        return;
      }
      handler(parsed.data as NotificationData<N>);
    });
  }

  /** Called once when an established connection is lost (not after close()). */
  onDisconnect(handler: (reason: string) => void): void {
    this.socket.on('disconnect', (reason) => {
      if (!this.closed) handler(reason);
    });
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.socket.removeAllListeners();
    this.socket.disconnect();
  }
}
