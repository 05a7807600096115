import type WebSocket from 'ws';
import { COLLAB_CLOSE_CODES, COLLAB_LIMITS } from '@nomades/shared';
import type { Logger } from '../logging/logger.js';
import { TokenBucket } from '../signaling/TokenBucket.js';
import { MessageType } from './messageTypes.js';
import { VarReader } from './VarReader.js';

/**
 * Limits of one collaboration WebSocket, applied before Hocuspocus sees a message (it wraps the
 * socket's `emit('message')`): until a document is authenticated, at most
 * COLLAB_LIMITS.preAuthMaxMessages messages and preAuthMaxBytes bytes, and an authentication
 * within authTimeoutMs; at most maxDocumentsPerSocket documents and maxAuthFailures failed
 * authentications; then a token bucket for document messages (beyond it the socket is closed,
 * 4429) and another for awareness messages (beyond it they are dropped). Outgoing: when the
 * socket already has more than `maxQueuedBytes` queued (a client that does not read), it is
 * closed as a slow consumer (4509) and dropped slowConsumerGraceMs later if still open (COL-15).
 * Every refusal closes the socket with a COLLAB_CLOSE_CODES code and a reason.
 */
export class SocketGuard {
  #authenticated = false;
  #closed = false;
  #preAuthMessages = 0;
  #preAuthBytes = 0;
  #authFailures = 0;
  readonly #documents = new Set<string>();
  readonly #messages = new TokenBucket(COLLAB_LIMITS.messagesPerSecond, COLLAB_LIMITS.messageBurst);
  readonly #awareness = new TokenBucket(COLLAB_LIMITS.awarenessPerSecond, COLLAB_LIMITS.awarenessBurst);
  /** Messages already counted: Hocuspocus re-emits the ones it queued during authentication. */
  readonly #seen = new WeakSet<object>();
  readonly #authTimer: NodeJS.Timeout;
  #dropTimer?: NodeJS.Timeout;

  constructor(
    private readonly ws: WebSocket,
    private readonly log: Logger,
    private readonly output: { maxQueuedBytes: number; onSlowConsumer?: () => void } = { maxQueuedBytes: Infinity },
  ) {
    const emit = ws.emit.bind(ws);
    ws.emit = ((event: string | symbol, ...args: unknown[]) =>
      event === 'message' && !this.#accept(args[0]) ? false : emit(event, ...args)) as WebSocket['emit'];
    const send = ws.send.bind(ws);
    ws.send = ((...args: Parameters<WebSocket['send']>) => {
      if (ws.bufferedAmount > this.output.maxQueuedBytes) return this.#slowConsumer();
      return send(...args);
    }) as WebSocket['send'];
    this.#authTimer = setTimeout(() => {
      if (!this.#authenticated) this.close(COLLAB_CLOSE_CODES.AUTH_TIMEOUT, 'AUTH_TIMEOUT: no document authenticated in time');
    }, COLLAB_LIMITS.authTimeoutMs);
    ws.once('close', () => {
      this.#closed = true;
      clearTimeout(this.#authTimer);
      clearTimeout(this.#dropTimer);
    });
  }

  /** Calls `fn` once the socket is closed (now if it already is). */
  onClosed(fn: () => void): void {
    if (this.ws.readyState === this.ws.CLOSED) fn();
    else this.ws.once('close', fn);
  }

  get closed(): boolean {
    return this.#closed;
  }

  authSucceeded(): void {
    this.#authenticated = true;
    clearTimeout(this.#authTimer);
  }

  authFailed(): void {
    if (++this.#authFailures >= COLLAB_LIMITS.maxAuthFailures) {
      this.close(COLLAB_CLOSE_CODES.UNAUTHORIZED, 'UNAUTHORIZED: too many failed authentications');
    }
  }

  /** Closes the socket with a refusal code; the reason starts with the code's name. */
  close(code: number, reason: string): void {
    if (this.#closed) return;
    this.#closed = true;
    clearTimeout(this.#authTimer);
    this.log.warn({ code, reason }, 'collab socket refused');
    this.ws.close(code, reason.slice(0, 120));
  }

  #accept(data: unknown): boolean {
    if (this.#closed) return false;
    if (!(data instanceof Uint8Array)) return this.#refuse(COLLAB_CLOSE_CODES.PRE_AUTH_LIMIT, 'BAD_REQUEST: binary messages only');
    if (this.#seen.has(data)) return true;
    this.#seen.add(data);
    let documentName: string;
    let type: number;
    try {
      const reader = new VarReader(data);
      documentName = reader.varString();
      type = reader.varUint();
    } catch {
      return this.#refuse(COLLAB_CLOSE_CODES.PRE_AUTH_LIMIT, 'BAD_REQUEST: malformed message');
    }
    this.#documents.add(documentName);
    if (this.#documents.size > COLLAB_LIMITS.maxDocumentsPerSocket) {
      return this.#refuse(COLLAB_CLOSE_CODES.PRE_AUTH_LIMIT, 'PRE_AUTH_LIMIT: too many documents on one socket');
    }
    if (!this.#authenticated) {
      this.#preAuthMessages += 1;
      this.#preAuthBytes += data.byteLength;
      if (this.#preAuthMessages > COLLAB_LIMITS.preAuthMaxMessages || this.#preAuthBytes > COLLAB_LIMITS.preAuthMaxBytes) {
        return this.#refuse(COLLAB_CLOSE_CODES.PRE_AUTH_LIMIT, 'PRE_AUTH_LIMIT: too much data before authentication');
      }
    }
    if (type === MessageType.Awareness) return this.#awareness.take();
    if (!this.#messages.take()) return this.#refuse(COLLAB_CLOSE_CODES.RATE_LIMITED, 'RATE_LIMITED: too many messages per second');
    return true;
  }

  #slowConsumer(): void {
    if (this.#closed) return;
    this.output.onSlowConsumer?.();
    this.close(COLLAB_CLOSE_CODES.SLOW_CONSUMER, `SLOW_CONSUMER: more than ${this.output.maxQueuedBytes} bytes queued`);
    // The close frame waits behind what is queued: a client that reads nothing is dropped.
    this.#dropTimer = setTimeout(() => this.ws.terminate(), COLLAB_LIMITS.slowConsumerGraceMs);
  }

  #refuse(code: number, reason: string): false {
    this.close(code, reason);
    return false;
  }
}
