import net from 'node:net';

export interface RawExchange {
  /** Everything the server sent before the connection ended (or before `waitMs`). */
  response: string;
  /** The HTTP status of the first line, or null when the server sent nothing. */
  status: number | null;
  /** True when the server closed the connection (FIN or reset) within `waitMs`. */
  closed: boolean;
}

/**
 * Sends raw bytes to `port` on 127.0.0.1 and collects the answer until the server closes the
 * connection or `waitMs` pass (a liveness bound, not a speed measure). `reset: true` resets the
 * connection right after writing (RST, no FIN), the way a crashing client does.
 */
export function rawExchange(port: number, bytes: string | Buffer, options: { waitMs?: number; reset?: boolean; end?: boolean } = {}): Promise<RawExchange> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    let response = '';
    let done = false;
    const finish = (closed: boolean) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      const status = /^HTTP\/1\.[01] (\d{3})/.exec(response)?.[1];
      resolve({ response, status: status ? Number(status) : null, closed });
    };
    const timer = setTimeout(() => finish(false), options.waitMs ?? 5_000);
    socket.on('data', (d) => (response += d.toString('latin1')));
    socket.on('error', () => finish(true));
    socket.on('close', () => finish(true));
    socket.on('connect', () => {
      socket.write(bytes, () => {
        if (options.reset) {
          socket.resetAndDestroy();
          finish(true);
        } else if (options.end) socket.end();
      });
    });
  });
}

/** An upgrade request to `target` (a WebSocket handshake, valid or not). */
export function upgradeRequest(target: string, extraHeaders = ''): string {
  return (
    `GET ${target} HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
    `Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n${extraHeaders}\r\n`
  );
}
