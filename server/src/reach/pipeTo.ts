import net from 'node:net';

/** Time to reach a local target (a worker's TCP port, the TURN server). */
export const PIPE_CONNECT_TIMEOUT_MS = 5_000;

/**
 * Pipes `socket` to a new connection to `target`, writing `head` (the bytes already read from
 * `socket`) first. Both sockets are in `open` while the pipe lasts; either end closing or failing
 * destroys both.
 */
export function pipeTo(socket: net.Socket, head: Buffer, target: { host: string; port: number }, open: Set<net.Socket>): void {
  const upstream = net.connect({ host: target.host, port: target.port, noDelay: true, timeout: PIPE_CONNECT_TIMEOUT_MS });
  const end = () => {
    socket.destroy();
    upstream.destroy();
    open.delete(socket);
    open.delete(upstream);
  };
  open.add(socket).add(upstream);
  socket.setNoDelay(true);
  socket.setTimeout(0);
  upstream.once('timeout', end).once('connect', () => upstream.setTimeout(0));
  for (const s of [socket, upstream]) s.once('error', end).once('close', end);
  upstream.write(head);
  socket.pipe(upstream);
  upstream.pipe(socket);
  socket.resume();
}
