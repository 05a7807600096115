import type { types } from 'mediasoup';
import { AppError, type PipeEndpoint, type PipeLane } from '@nomades/shared';
import { toAppError } from '../toAppError.js';

type PairTransport = types.PipeTransport | types.PlainTransport;

export interface PipeTransportPairOptions {
  /** `pipe`: a PipeTransport (pipe consumers: every stream of a producer); `layers`: a PlainTransport (SPAN-3b). */
  lane: PipeLane;
  router: types.Router;
  listenIp: string;
  announcedIp?: string;
  /** SPAN-3: no SRTP on a link the operator declared trusted. */
  trusted: boolean;
  /** Sends this end to the other node (`pipe.connect`) and returns the other end. */
  exchange(local: PipeEndpoint): Promise<PipeEndpoint>;
  /** This end's transport closed (the router closed, or close()). */
  onClose(): void;
}

/**
 * SPAN-3: this node's end of one transport pair of a (room, node pair) and lane, what
 * `router.pipeToRouter` builds within a host, built here across two hosts: each side creates its
 * transport once (lazily), the two ends are exchanged over the node channel, and each side
 * connects its transport to the other's, once. Either side may start the exchange, both at once
 * included: a side connects to the first end it learns, and the same end again is a no-op.
 */
export class PipeTransportPair {
  readonly #o: PipeTransportPairOptions;
  #transport?: Promise<PairTransport>;
  #created?: PairTransport;
  /** The other end this transport is connected (or connecting) to. */
  #remote?: { transportId: string; connected: Promise<void> };
  #ready?: Promise<PairTransport>;
  #closed = false;

  constructor(options: PipeTransportPairOptions) {
    this.#o = options;
  }

  /** This end's transport, once created. */
  get transport(): PairTransport | undefined {
    return this.#created;
  }

  /** Both ends created and connected (the first call does it; a failed attempt is retried at the next call). */
  ready(): Promise<PairTransport> {
    if (this.#closed) return Promise.reject(closedError());
    if (this.#ready) return this.#ready;
    const attempt = (async () => {
      const transport = await this.#local();
      const remote = await this.#o.exchange(this.#endpoint(transport));
      await this.#connectTo(transport, remote);
      return transport;
    })();
    this.#ready = attempt;
    attempt.catch(() => {
      if (this.#ready === attempt) this.#ready = undefined;
    });
    return attempt;
  }

  /** Serves the other side's `pipe.connect`: connects this end to `remote`, returns this end. */
  async accept(remote: PipeEndpoint): Promise<PipeEndpoint> {
    const transport = await this.#local();
    await this.#connectTo(transport, remote);
    return this.#endpoint(transport);
  }

  /** This end once connected to the other's (the destination of a `pipe.produce`). */
  async connected(): Promise<PairTransport> {
    const transport = await this.#transport;
    if (!transport || !this.#remote) throw new AppError('UNAVAILABLE', 'the pipe transport pair is not connected');
    await this.#remote.connected;
    return transport;
  }

  #local(): Promise<PairTransport> {
    if (this.#closed) return Promise.reject(closedError());
    if (this.#transport) return this.#transport;
    const creating = this.#create()
      .then((transport) => {
        if (this.#closed) {
          transport.close();
          throw closedError();
        }
        this.#created = transport;
        (transport as types.Transport).observer.once('close', () => this.#o.onClose());
        return transport;
      })
      .catch((error: unknown) => {
        if (this.#transport === creating) this.#transport = undefined; // retried at the next pipe
        throw toAppError(error, 'could not create the pipe transport');
      });
    this.#transport = creating;
    return creating;
  }

  #create(): Promise<PairTransport> {
    const { router, listenIp, announcedIp, trusted } = this.#o;
    const listen = { ip: listenIp, announcedIp };
    if (this.#o.lane === 'layers') {
      // One RTP/RTCP port (rtcpMux), connected to the other end's; NACK/RTX come with the consumers' parameters.
      return router.createPlainTransport({ listenIp: listen, rtcpMux: true, comedia: false, enableSrtp: !trusted, srtpCryptoSuite: 'AES_CM_128_HMAC_SHA1_80', appData: { pipeLane: 'layers' } });
    }
    return router.createPipeTransport({
      listenIp: listen,
      // RTX and NACK: the link between hosts can lose packets (both ends must enable it).
      enableRtx: true,
      enableSrtp: !trusted,
      enableSctp: false, // no data channels cross
      appData: { pipeLane: 'pipe' },
    });
  }

  /** Connects once; the same remote end again is a no-op; another remote end is refused. */
  #connectTo(transport: PairTransport, remote: PipeEndpoint): Promise<void> {
    if (this.#remote) {
      if (this.#remote.transportId !== remote.transportId || remote.lane !== this.#o.lane) {
        return Promise.reject(new AppError('CONFLICT', 'this pipe transport is already connected to another one'));
      }
      return this.#remote.connected;
    }
    if (this.#o.trusted !== !remote.srtpParameters) {
      // One node encrypts and the other does not: their NODE_PIPE_TRUSTED settings differ.
      return Promise.reject(new AppError('BAD_REQUEST', 'the two nodes disagree on SRTP between nodes (NODE_PIPE_TRUSTED)'));
    }
    const connected = transport.connect({ ip: remote.ip, port: remote.port, srtpParameters: remote.srtpParameters }).catch((error: unknown) => {
      if (this.#remote?.connected === connected) this.#remote = undefined;
      throw toAppError(error, 'could not connect the pipe transport');
    });
    this.#remote = { transportId: remote.transportId, connected };
    return connected;
  }

  #endpoint(transport: PairTransport): PipeEndpoint {
    // tuple.localIp is the announced address when there is one (what pipeToRouter uses too).
    const { localIp, localPort } = transport.tuple;
    return { lane: this.#o.lane, transportId: transport.id, ip: localIp, port: localPort, ...(transport.srtpParameters ? { srtpParameters: transport.srtpParameters } : {}) };
  }

  /** Closes this end's transport (and so every pipe consumer and producer on it). Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    void this.#transport?.then((t) => t.close()).catch(() => undefined);
  }
}

function closedError(): AppError {
  return new AppError('UNAVAILABLE', 'the pipes to this node are closed');
}
