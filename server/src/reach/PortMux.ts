import type http from 'node:http';
import type net from 'node:net';
import type tls from 'node:tls';
import type { Logger } from '../logging/logger.js';
import type { IceTcpRelay } from './IceTcpRelay.js';
import { pipeTo } from './pipeTo.js';
import { classifyFirstByte, isTurnStart, parseFirstFrame, STUN_FRAME_LIMITS } from './stunFrame.js';

/** Limits of the first-bytes sniffing (REACH-1 in docs/spec/reachability.md). */
export const PORT_MUX_LIMITS = {
  /** Time for a new connection to send its first bytes (a browser sends at once). */
  firstBytesTimeoutMs: 10_000,
  /** TURN connections piped to the embedded coturn at once (it has its own allocation quotas). */
  maxTurnPipes: 4_096,
} as const;

export interface PortMuxOptions {
  /** Connections starting with a STUN request go there; without it they are closed. */
  ice?: IceTcpRelay;
  /** Connections starting with a TLS ClientHello go there (REACH-6, TlsEndpoint); without it they are closed. */
  tls?: { accept(raw: net.Socket, onSecure: (socket: tls.TLSSocket) => void): void };
  /** REACH-5: connections starting with a raw STUN message (TURN over TCP) go to this local port. */
  turnPort?: () => number | undefined;
  /** Default PORT_MUX_LIMITS.firstBytesTimeoutMs (tests shorten it). */
  firstBytesTimeoutMs?: number;
  log: Logger;
}

export interface PortMuxStats {
  http: number;
  tls: number;
  ice: number;
  turn: number;
  refused: number;
}

type ConnectionListener = (this: http.Server, socket: net.Socket) => void;

/**
 * One port for everything (REACH-1): the HTTP server's listener also takes TLS and ICE-TCP. Each
 * new connection is judged by its first bytes (an HTTP method, a TLS ClientHello, an RFC 4571
 * STUN binding request) and handed to Node's HTTP connection handler, to the TLS server (whose
 * decrypted sockets reach the same HTTP handler) or to the ICE-TCP relay; anything else, or
 * silence past firstBytesTimeoutMs, is closed. The HTTP server keeps listening, timing and
 * counting its connections as before: only its connection handler moves behind the sniffing.
 */
export class PortMux {
  readonly #server: http.Server;
  readonly #httpConnection: ConnectionListener;
  readonly #options: PortMuxOptions;
  readonly #log: Logger;
  readonly #stats: PortMuxStats = { http: 0, tls: 0, ice: 0, turn: 0, refused: 0 };
  readonly #sniff = (socket: net.Socket) => this.#onConnection(socket);
  /** REACH-5: connections piped to the TURN server. */
  readonly #turnSockets = new Set<net.Socket>();
  /** Connections whose first bytes are awaited: the HTTP server does not know them yet, so its close() would wait for them. */
  readonly #pending = new Set<net.Socket>();
  #closed = false;

  constructor(server: http.Server, options: PortMuxOptions) {
    const [own] = server.listeners('connection') as ConnectionListener[];
    if (!own || own.name !== 'connectionListener') throw new Error("PortMux: the HTTP server's own connection listener must be its first");
    this.#server = server;
    this.#httpConnection = own;
    this.#options = options;
    this.#log = options.log.child({ name: 'port-mux' });
    server.removeListener('connection', own);
    server.prependListener('connection', this.#sniff);
  }

  get stats(): PortMuxStats {
    return { ...this.#stats };
  }

  #onConnection(socket: net.Socket): void {
    if (this.#closed) return void socket.destroy();
    let head = Buffer.alloc(0);
    this.#pending.add(socket);
    socket.once('close', () => this.#pending.delete(socket));
    const refuse = (reason: string) => {
      this.#stats.refused += 1;
      this.#log.debug({ reason, remote: socket.remoteAddress }, 'connection refused on the shared port');
      socket.destroy();
    };
    const onTimeout = () => refuse('no first bytes in time');
    socket.setTimeout(this.#options.firstBytesTimeoutMs ?? PORT_MUX_LIMITS.firstBytesTimeoutMs);
    socket.once('timeout', onTimeout);
    /** The first bytes are judged: the socket leaves the sniffing for its handler. */
    const stopSniffing = () => {
      socket.off('data', onData);
      socket.off('timeout', onTimeout);
      socket.pause();
      this.#pending.delete(socket);
    };
    const onData = (chunk: Buffer) => {
      head = head.length ? Buffer.concat([head, chunk]) : chunk;
      const kind = classifyFirstByte(head[0]!);
      if (kind !== 'other') return handOver(kind);
      if (head.length < 10) return; // both STUN forms are told apart by then
      const turnPort = this.#options.turnPort?.();
      if (isTurnStart(head) && turnPort) {
        if (this.#turnSockets.size / 2 >= PORT_MUX_LIMITS.maxTurnPipes) return refuse('too many TURN connections');
        stopSniffing();
        this.#stats.turn += 1;
        return pipeTo(socket, head, { host: '127.0.0.1', port: turnPort }, this.#turnSockets);
      }
      const frame = parseFirstFrame(head);
      if (frame.kind === 'incomplete' && head.length <= STUN_FRAME_LIMITS.maxFrameBytes + 2) return;
      if (frame.kind !== 'stun' || !this.#options.ice) {
        return refuse(frame.kind === 'invalid' ? frame.reason : frame.kind === 'incomplete' ? 'first frame too long' : 'no ICE-TCP relay');
      }
      stopSniffing();
      this.#stats.ice += 1;
      this.#options.ice.relay(socket, head, frame.serverUfrag);
    };
    const handOver = (kind: 'http' | 'tls') => {
      stopSniffing();
      socket.setTimeout(0);
      if (kind === 'tls' && !this.#options.tls) return refuse('TLS is not configured');
      this.#stats[kind] += 1;
      socket.unshift(head);
      // TLS connections, once decrypted, are HTTP connections of the same server. TLS reads what
      // is buffered itself (TLSSocket's first read): resuming here would let it flow away.
      if (kind === 'tls') return void this.#options.tls!.accept(socket, (secure) => this.#httpConnection.call(this.#server, secure));
      this.#httpConnection.call(this.#server, socket);
      socket.resume();
    };
    socket.on('data', onData);
  }

  /**
   * At shutdown, before the HTTP server's close (which would wait for them): ends the connections
   * still sending their first bytes and the TURN pipes, and refuses new ones. Idempotent.
   */
  close(): void {
    this.#closed = true;
    for (const s of [...this.#pending, ...this.#turnSockets]) s.destroy();
    this.#pending.clear();
    this.#turnSockets.clear();
  }

  /** Puts the HTTP server's own connection handler back (after close). Idempotent. */
  detach(): void {
    this.close();
    if (!this.#server.listeners('connection').includes(this.#sniff)) return;
    this.#server.removeListener('connection', this.#sniff);
    this.#server.prependListener('connection', this.#httpConnection);
  }
}
