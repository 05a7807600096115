import type net from 'node:net';
import type { types } from 'mediasoup';
import type { SharedTcpPort } from '@nomades/sfu';
import type { Logger } from '../logging/logger.js';
import { pipeTo } from './pipeTo.js';

/** Limits of the ICE-TCP relay on the shared port (REACH-2 in docs/spec/reachability.md). */
export const ICE_TCP_RELAY_LIMITS = {
  /** Relayed connections open at once (two per participant is the usual). */
  maxRelays: 4_096,
} as const;

export interface IceTcpRelayOptions {
  /** Address announced in the shared candidate (ANNOUNCED_IP, or the listen address). */
  announcedIp: string;
  /** Port announced (the HTTP port once listening, or the public one in front of a proxy). */
  announcedPort: () => number;
  /** Where the workers' own TCP ports listen (their listen address; loopback for a wildcard). */
  workerHost: string;
  log: Logger;
}

export interface IceTcpRelayStats {
  active: number;
  relayed: number;
  /** First requests naming a ufrag no transport has (stale, or made up). */
  unknownUfrag: number;
}

/**
 * REACH-1/2: one TCP port for media. The shared HTTP listener (PortMux) hands over each
 * connection that starts with a STUN binding request; the relay looks up the transport whose
 * ufrag the request names and pipes the connection to that worker's own ICE-TCP port, first
 * bytes included. The worker then runs ICE, DTLS and SRTP over it as over a direct connection.
 * Cost: one more copy through this process per packet (docs/benchmarks.md, "Media through firewalls": 0.16 % of a core per stream).
 */
export class IceTcpRelay implements SharedTcpPort {
  readonly #options: IceTcpRelayOptions;
  readonly #log: Logger;
  /** ufrag → the worker's TCP port. */
  readonly #routes = new Map<string, number>();
  readonly #open = new Set<net.Socket>();
  readonly #stats = { relayed: 0, unknownUfrag: 0 };
  #closed = false;

  constructor(options: IceTcpRelayOptions) {
    this.#options = options;
    this.#log = options.log.child({ name: 'ice-tcp-relay' });
  }

  get stats(): IceTcpRelayStats {
    return { active: this.#open.size / 2, ...this.#stats };
  }

  candidate(belowPriority: number): types.IceCandidate {
    return {
      foundation: 'sharedtcp', // ice-chars only (RFC 8839): a hyphen makes browsers drop the candidate
      priority: Math.max(1, belowPriority - 1),
      ip: this.#options.announcedIp,
      address: this.#options.announcedIp,
      protocol: 'tcp',
      port: this.#options.announcedPort(),
      type: 'host',
      tcpType: 'passive',
    } as types.IceCandidate;
  }

  route(ufrag: string, port: number): () => void {
    this.#routes.set(ufrag, port);
    return () => {
      if (this.#routes.get(ufrag) === port) this.#routes.delete(ufrag);
    };
  }

  /** Relays `socket`, whose first bytes `head` hold a STUN request naming `ufrag`, or closes it. */
  relay(socket: net.Socket, head: Buffer, ufrag: string): void {
    const port = this.#routes.get(ufrag);
    if (this.#closed || port === undefined || this.#open.size / 2 >= ICE_TCP_RELAY_LIMITS.maxRelays) {
      if (port === undefined) this.#stats.unknownUfrag += 1;
      this.#log.debug({ ufrag, known: port !== undefined }, 'ICE-TCP connection refused');
      return void socket.destroy();
    }
    this.#stats.relayed += 1;
    pipeTo(socket, head, { host: this.#options.workerHost, port }, this.#open);
  }

  /** Ends every relayed connection; new ones are refused. Idempotent. */
  close(): void {
    this.#closed = true;
    for (const s of this.#open) s.destroy();
    this.#open.clear();
    this.#routes.clear();
  }
}
