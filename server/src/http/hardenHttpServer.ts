import type http from 'node:http';
import type { Logger } from '../logging/logger.js';

/** Limits of the HTTP listener itself (SEC-2 in docs/security.md). */
export const HTTP_LISTENER_LIMITS = {
  /** Time to receive a request's headers; then 408 and the socket is closed. */
  headersTimeoutMs: 10_000,
  /** Time to receive a whole request (bodies are at most 16 kB). */
  requestTimeoutMs: 30_000,
  /** An idle keep-alive connection is closed after this. */
  keepAliveTimeoutMs: 5_000,
  /** Size of a request's headers (Node's default, made explicit). */
  maxHeaderBytes: 16 * 1024,
  /** Headers per request. */
  maxHeadersCount: 100,
  /** Open TCP connections (HTTP, socket.io and /collab together). */
  maxConnections: 20_000,
} as const;

/** Options for `http.createServer` that must be given at construction. */
export const HTTP_SERVER_OPTIONS: http.ServerOptions = {
  maxHeaderSize: HTTP_LISTENER_LIMITS.maxHeaderBytes,
  headersTimeout: HTTP_LISTENER_LIMITS.headersTimeoutMs,
  requestTimeout: HTTP_LISTENER_LIMITS.requestTimeoutMs,
  keepAliveTimeout: HTTP_LISTENER_LIMITS.keepAliveTimeoutMs,
  // How often Node looks for connections past headersTimeout/requestTimeout (default 30 s).
  connectionsCheckingInterval: 2_000,
  // Requests with a path Node cannot parse are still ours to answer (400), not Node's to throw on.
  insecureHTTPParser: false,
};

/**
 * Makes the HTTP server survive any bytes (SEC-2): every raw socket has an `error` listener, a
 * request the parser refuses is answered with its status (400, 408, 413, 431) and the socket
 * closed, and the listener is bounded in connections and headers.
 */
export function hardenHttpServer(server: http.Server, log: Logger): void {
  const l = log.child({ name: 'http-listener' });
  server.maxHeadersCount = HTTP_LISTENER_LIMITS.maxHeadersCount;
  server.maxConnections = HTTP_LISTENER_LIMITS.maxConnections;
  server.on('connection', (socket) => {
    socket.on('error', (err) => l.debug({ err: err.message }, 'connection error'));
  });
  server.on('clientError', (err: NodeJS.ErrnoException, socket) => {
    l.debug({ code: err.code }, 'malformed request refused');
    if (!socket.writable || (socket as { bytesWritten?: number }).bytesWritten) return void socket.destroy();
    const status =
      err.code === 'HPE_HEADER_OVERFLOW' ? '431 Request Header Fields Too Large'
      : err.code === 'ERR_HTTP_REQUEST_TIMEOUT' || err.code === 'HPE_HEADERS_TIMEOUT' ? '408 Request Timeout'
      : err.code === 'HPE_CHUNK_EXTENSIONS_OVERFLOW' ? '413 Payload Too Large'
      : '400 Bad Request';
    socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    setTimeout(() => socket.destroy(), 1_000).unref();
  });
}
