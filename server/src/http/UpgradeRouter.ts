import type http from 'node:http';
import type { Duplex } from 'node:stream';
import type { Logger } from '../logging/logger.js';

export type UpgradeHandler = (req: http.IncomingMessage, socket: Duplex, head: Buffer) => void;

/**
 * The only `upgrade` listener of ours on the HTTP server (SEC-1 in docs/security.md). It takes any
 * bytes: the path is read without throwing, every raw socket gets an `error` listener before
 * anything else (a reset must never become an unhandled `error` event), an upgrade to a path that
 * nobody serves is answered 400 (unreadable target) or 404 and destroyed, and a handler that throws
 * costs that one socket, never the process. Paths under `passThrough` (socket.io's `/socket.io/`)
 * belong to a listener that engine.io registers itself; they are left alone.
 */
export class UpgradeRouter {
  readonly #routes = new Map<string, UpgradeHandler>();
  readonly #passThrough: readonly string[];
  readonly #log: Logger;
  readonly #server: http.Server;
  readonly #listener = (req: http.IncomingMessage, socket: Duplex, head: Buffer) => this.#dispatch(req, socket, head);
  #closed = false;

  constructor(server: http.Server, options: { log: Logger; passThrough: readonly string[] }) {
    this.#server = server;
    this.#log = options.log.child({ name: 'upgrade' });
    this.#passThrough = options.passThrough;
    server.on('upgrade', this.#listener);
  }

  /** Serves upgrades to exactly `path` (no trailing slash variants) with `handler`. */
  route(path: string, handler: UpgradeHandler): void {
    this.#routes.set(path, handler);
  }

  /** Stops routing: later upgrades to our paths are answered 503. Idempotent. */
  close(): void {
    this.#closed = true;
    this.#routes.clear();
  }

  /** Detaches from the HTTP server (after close, at shutdown). */
  detach(): void {
    this.#server.off('upgrade', this.#listener);
  }

  #dispatch(req: http.IncomingMessage, socket: Duplex, head: Buffer): void {
    socket.on('error', (err) => this.#log.debug({ err: err.message }, 'upgrade socket error'));
    const path = pathOf(req.url);
    if (path !== null && this.#passThrough.some((p) => path.startsWith(p))) return;
    if (this.#closed) return reject(socket, 503, 'Service Unavailable');
    const handler = path === null ? undefined : this.#routes.get(path);
    if (!handler) return reject(socket, path === null ? 400 : 404, path === null ? 'Bad Request' : 'Not Found');
    try {
      handler(req, socket, head);
    } catch (error) {
      this.#log.error({ err: error, path }, 'upgrade handler failed');
      reject(socket, 500, 'Internal Server Error');
    }
  }
}

/**
 * The path of a request target, or null when it cannot be read. Accepts origin-form (`/a?b`) and
 * absolute-form (`http://host/a`); never throws.
 */
export function pathOf(target: string | undefined): string | null {
  if (typeof target !== 'string' || target.length === 0 || target.length > 8192) return null;
  if (target.startsWith('/')) {
    const end = target.search(/[?#]/);
    return end === -1 ? target : target.slice(0, end);
  }
  try {
    return new URL(target).pathname;
  } catch {
    return null;
  }
}

function reject(socket: Duplex, status: number, text: string): void {
  if (socket.writable) {
    socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Type: text/plain\r\nContent-Length: ${text.length}\r\n\r\n${text}`);
  }
  // Destroyed once the answer is flushed, or after a second if the peer never reads it.
  const timer = setTimeout(() => socket.destroy(), 1_000);
  timer.unref();
  socket.once('finish', () => {
    clearTimeout(timer);
    socket.destroy();
  });
  if (!socket.writable) socket.destroy();
}
