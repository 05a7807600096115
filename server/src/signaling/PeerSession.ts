import crypto from 'node:crypto';
import type { Socket } from 'socket.io';
import {
  AppError,
  LIMITS,
  isRequestName,
  requestCost,
  requests,
  type ErrorCode,
  type ErrorParams,
  type ErrorPayload,
  type RoomInfo,
  type TokenClaims,
} from '@nomades/shared';
import type { RoomAccess } from '../access/RoomAccess.js';
import type { Logger } from '../logging/logger.js';
import type { JoinTimings } from '../metrics/Metrics.js';
import type { IceServer } from '../reach/TurnCredentials.js';
import type { PeerLink } from '../rooms/NotificationOutbox.js';
import type { Peer } from '../rooms/Peer.js';
import type { Room } from '../rooms/Room.js';
import type { RoomRegistry } from '../rooms/RoomRegistry.js';
import { JoinGate } from './JoinGate.js';
import { requestHandlers } from './requestHandlers.js';
import type { SessionContext } from './SessionContext.js';
import { TokenBucket } from './TokenBucket.js';

type AckFn = (answer: unknown) => void;

/** Rejected requests beyond which the session is ended (a flood or a broken client). */
const MAX_REJECTIONS = 500;
/** Requests waiting for their turn; beyond this the client is flooding. */
const MAX_QUEUED = 300;
/** socket.io disconnect reasons of a lost connection (not a deliberate close by either side). */
const LOST_CONNECTION = new Set(['transport close', 'transport error', 'ping timeout']);
/** setTimeout's ceiling (about 24.8 days); a later expiry is re-armed. */
const MAX_TIMER_MS = 2_147_483_647;

/** What socket.io and engine.io keep of a connection's outgoing data (not in their typings). */
interface EngineConnection {
  writeBuffer?: Array<{ data?: unknown }>;
  transport?: { name?: string; socket?: { bufferedAmount?: number; _socket?: { resetAndDestroy?: () => void; destroy: () => void } } };
  close(discard?: boolean): void;
}

/**
 * One authenticated socket. Validates every message against the protocol schemas, applies the
 * rate limit, runs requests one at a time in arrival order, enforces the join deadline, and on
 * close (leave, disconnect, kick, server shutdown) removes its peer from the room.
 */
export class PeerSession implements SessionContext {
  readonly id = crypto.randomUUID();
  readonly log: Logger;
  readonly #socket: Socket;
  readonly #claims: TokenClaims;
  readonly #roomInfo: RoomInfo;
  readonly #registry: RoomRegistry;
  readonly #onClose: () => void;
  readonly #bucket = new TokenBucket(LIMITS.requestsPerSecond, LIMITS.requestBurst);
  readonly #gate: JoinGate;
  readonly #address?: string;
  #joinTimer?: NodeJS.Timeout;
  #expiryTimer?: NodeJS.Timeout;
  #queue: Promise<void> = Promise.resolve();
  #queued = 0;
  #rejections = 0;
  #room?: Room;
  #peer?: Peer;
  #joining = false;
  #closed = false;
  /** OPS-3: when the socket connected, how many joins it asked, whether it reported its first media. */
  readonly #connectedAt = performance.now();
  readonly #timings?: JoinTimings;
  #joinRequests = 0;
  #firstMediaReported = false;

  readonly #iceServers?: (peerId: string) => IceServer[];
  readonly #otherNodes?: () => string[];
  constructor(
    socket: Socket,
    options: {
      claims: TokenClaims;
      roomInfo: RoomInfo;
      registry: RoomRegistry;
      /** REACH-4: TURN servers with credentials for a participant. */
      iceServers?: (peerId: string) => IceServer[];
      access: RoomAccess;
      /** The client's address (clientAddress). */
      address?: string;
      /** OPS-3: the join histogram. */
      timings?: JoinTimings;
      /** NODE-3: the other live nodes' base URLs. */
      otherNodes?: () => string[];
      log: Logger;
      onClose: () => void;
    },
  ) {
    this.#socket = socket;
    this.#address = options.address;
    this.#claims = options.claims;
    this.#roomInfo = options.roomInfo;
    this.#registry = options.registry;
    this.#iceServers = options.iceServers;
    this.#otherNodes = options.otherNodes;
    this.#onClose = options.onClose;
    this.#timings = options.timings;
    this.log = options.log.child({ room: options.roomInfo.id, session: this.id });
    this.#gate = new JoinGate({
      sessionId: this.id,
      claims: this.#claims,
      address: this.#address,
      roomInfo: this.#roomInfo,
      controls: this.#registry.controls(this.#roomInfo.id),
      access: options.access,
      log: this.log,
      notifyAdmitted: () => !this.#closed && this.#socket.emit('lobbyAdmitted', {}),
      end: (code, message) => this.end(code, message),
      setJoinDeadline: (ms) => this.#setJoinDeadline(ms),
    });
  }

  iceServers(peerId: string): IceServer[] {
    return this.#iceServers?.(peerId) ?? [];
  }

  otherNodes(): string[] {
    return this.#otherNodes?.() ?? [];
  }

  get resumeGraceMs(): number {
    return this.#registry.resumeGraceMs;
  }

  start(): void {
    this.#setJoinDeadline(LIMITS.joinTimeoutMs);
    this.#armExpiry();
    this.#socket.onAny((name: unknown, ...args: unknown[]) => this.#onMessage(name, args));
    this.#socket.on('disconnect', (reason) => {
      this.log.debug({ reason }, 'socket disconnected');
      // SIG-13: a lost connection keeps the participant for a resume; a deliberate one does not.
      this.close(LOST_CONNECTION.has(reason) ? 'detach' : 'remove');
    });
  }

  /** How the participant's notifications reach this socket (SIG-13: `emit(name, data, seq)`). */
  readonly #link: PeerLink = {
    send: (name, data, seq) => {
      if (this.#closed) return;
      if (seq === undefined) this.#socket.emit(name, data);
      else this.#socket.emit(name, data, seq);
    },
    end: (code, message) => this.end(code, message),
  };

  /**
   * SIG-13: takes over a participant the room still keeps (its socket was lost), with the
   * credential of its last join or resume. Sends what it missed after `lastSeq`, then answers.
   */
  async resume(peerId: string, resumeToken: string, lastSeq: number): Promise<{ room: Room; peer: Peer; resumeToken: string; replayed: number }> {
    if (this.#peer || this.#joining) throw new AppError('ALREADY_JOINED', 'this session has already joined');
    const refused = () => new AppError('RESUME_FAILED', 'this participant is no longer kept: join again');
    const room = this.#registry.get(this.#roomInfo.id);
    const peer = room?.getPeer(peerId);
    if (!room || !peer || peer.identity !== this.#claims.sub) throw refused();
    // A removal while away removed the peer (MOD-4), and an expired token is refused at the
    // handshake: a participant still kept may come back; lock and lobby are for newcomers.
    const resumed = room.resumePeer(peer, resumeToken, lastSeq, this.#link);
    if (!resumed) throw refused();
    this.#room = room;
    this.#peer = peer;
    clearTimeout(this.#joinTimer);
    for (const m of resumed.missed) this.#socket.emit(m.name, m.data, m.seq);
    return { room, peer, resumeToken: resumed.resumeToken, replayed: resumed.missed.length };
  }

  async join(): Promise<{ room: Room; peer: Peer }> {
    // MOD-10: the room's moderation state is read first; the checks below then run in one tick.
    await this.#registry.loadControls(this.#roomInfo.id);
    if (this.#peer || this.#joining) throw new AppError('ALREADY_JOINED', 'this session has already joined');
    this.#joinRequests++;
    // Removal, lock and lobby (MOD-4, MOD-5, LOBBY-n); the role a webinar gives guests (ROLE-5).
    const role = this.#gate.check();
    this.#joining = true;
    const room = await this.#registry.open(this.#roomInfo);
    let peer: Peer;
    try {
      // SPAN-5: this node full: the participant's media goes to the room's annex.
      const annex = await this.#registry.annexFor(room);
      if (this.#closed) throw new AppError('NOT_JOINED', 'the session closed while joining');
      peer = room.addPeer({
        id: crypto.randomUUID(),
        claims: this.#claims,
        role,
        address: this.#address,
        link: this.#link,
        annex,
      });
    } catch (error) {
      // Never leave a room open with nobody in it.
      if (room.peerCount === 0) room.close();
      this.#joining = false;
      throw error;
    }
    this.#room = room;
    this.#peer = peer;
    clearTimeout(this.#joinTimer);
    // OPS-3: a first join request only (a join after a lobby wait or a refusal would count the wait).
    if (this.#joinRequests === 1) this.#timings?.joined((performance.now() - this.#connectedAt) / 1000);
    return { room, peer };
  }

  reportFirstMedia(ms: number): void {
    this.joined();
    if (this.#firstMediaReported) throw new AppError('CONFLICT', 'first media already reported for this session');
    this.#firstMediaReported = true;
    this.#timings?.firstMedia(ms / 1000);
  }

  joined(): { room: Room; peer: Peer } {
    if (!this.#room || !this.#peer || this.#peer.closed) throw new AppError('NOT_JOINED', 'join the room first');
    return { room: this.#room, peer: this.#peer };
  }

  leave(): void {
    // Answer the request first, then disconnect.
    setImmediate(() => this.end());
  }

  get roomId(): string {
    return this.#roomInfo.id;
  }

  /** The `sid` claim of the session's token (AUTH-9), if any. */
  get sessionId(): string | undefined {
    return this.#claims.sid;
  }

  /** Tells the client why (if a reason is given), disconnects, and closes. */
  end(code?: ErrorCode, message?: string, params?: ErrorParams): void {
    if (this.#closed) return;
    if (code) {
      this.log.info({ code }, `session ended: ${message}`);
      this.#socket.emit('closing', { error: { code, message: message ?? code, ...(params ? { params } : {}) } });
    }
    this.close();
    this.#socket.disconnect(true);
  }

  /**
   * Bytes waiting to be sent to this socket: engine.io's buffer of packets not yet handed to the
   * transport, plus what the WebSocket has not yet written to the network (SIG-12).
   */
  queuedBytes(): number {
    const conn = this.#socket.conn as unknown as EngineConnection;
    let bytes = conn.transport?.socket?.bufferedAmount ?? 0;
    for (const packet of conn.writeBuffer ?? []) {
      const data = packet.data;
      bytes += typeof data === 'string' ? data.length : data instanceof Uint8Array ? data.byteLength : 0;
    }
    return bytes;
  }

  /**
   * Ends a client that does not read what it is sent (SIG-12): the connection is reset rather than
   * closed, since a graceful close would wait behind the queued data.
   */
  dropSlowConsumer(bytes: number): void {
    if (this.#closed) return;
    this.log.warn({ queuedBytes: bytes }, 'slow consumer: connection reset');
    this.close();
    const conn = this.#socket.conn as unknown as EngineConnection;
    const raw = conn.transport?.socket?._socket;
    if (raw) {
      if (raw.resetAndDestroy) raw.resetAndDestroy();
      else raw.destroy();
    } else {
      conn.close(true);
    }
  }

  /**
   * Ends this session: its participant leaves the room (`remove`), or, for a lost connection, is
   * kept for a resume (`detach`, SIG-13). A participant that another socket has resumed since is
   * left alone. Idempotent; nothing is sent after it.
   */
  close(how: 'remove' | 'detach' = 'remove'): void {
    if (this.#closed) return;
    this.#closed = true;
    clearTimeout(this.#joinTimer);
    clearTimeout(this.#expiryTimer);
    this.#gate.close();
    this.#socket.offAny();
    const room = this.#room;
    const peer = this.#peer;
    if (room && peer && peer.link === this.#link) {
      if (how === 'detach') room.detachPeer(peer, this.#link);
      else room.removePeer(peer);
    }
    this.#onClose();
  }

  /** ACCESS-7: the session ends when its token expires. */
  #armExpiry(): void {
    const ms = this.#claims.exp * 1000 - Date.now();
    if (ms <= 0) return this.end('TOKEN_EXPIRED', 'your token has expired');
    this.#expiryTimer = setTimeout(() => (ms > MAX_TIMER_MS ? this.#armExpiry() : this.end('TOKEN_EXPIRED', 'your token has expired')), Math.min(ms, MAX_TIMER_MS));
  }

  #setJoinDeadline(ms: number | null): void {
    clearTimeout(this.#joinTimer);
    if (ms === null || this.#closed) return;
    this.#joinTimer = setTimeout(() => this.end('JOIN_TIMEOUT', `no join within ${ms / 1000} s`), ms);
  }

  #onMessage(name: unknown, args: unknown[]): void {
    if (this.#closed) return;
    const ack = typeof args[args.length - 1] === 'function' ? (args.pop() as AckFn) : undefined;
    const reject = (code: ErrorCode, message: string, params?: ErrorParams): void => {
      this.#rejections++;
      this.log.warn({ request: typeof name === 'string' ? name.slice(0, 64) : typeof name, code }, message);
      ack?.({ ok: false, error: (params ? { code, message, params } : { code, message }) satisfies ErrorPayload });
      if (this.#rejections > MAX_REJECTIONS) this.end('RATE_LIMITED', 'too many rejected requests');
    };
    if (!this.#bucket.take()) return reject('RATE_LIMITED', 'too many requests, slow down');
    if (!isRequestName(name)) return reject('UNKNOWN_REQUEST', 'unknown request name');
    if (!ack) return reject('BAD_REQUEST', 'requests need an acknowledgement callback');
    if (args.length !== 1) return reject('BAD_REQUEST', 'a request carries exactly one data object');
    const size = approximateSize(args[0]);
    if (size > LIMITS.maxMessageBytes) return reject('PAYLOAD_TOO_LARGE', `request larger than ${LIMITS.maxMessageBytes} bytes`);
    const parsed = requests[name].request.safeParse(args[0]);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      return reject('BAD_REQUEST', `invalid ${name}: ${issue?.path.join('.') || 'data'}: ${issue?.message ?? 'invalid'}`.slice(0, 300));
    }
    // SIG-4, SIG-17: a batch costs more than one request (its first token was taken above).
    const cost = requestCost(name, parsed.data as never);
    if (cost > 1 && !this.#bucket.take(Date.now(), cost - 1)) return reject('RATE_LIMITED', 'too many requests, slow down');
    if (this.#queued >= MAX_QUEUED) return reject('RATE_LIMITED', 'too many requests in flight');
    this.#queued++;
    this.#queue = this.#queue.then(async () => {
      this.#queued--;
      if (this.#closed) return ack({ ok: false, error: { code: 'NOT_JOINED', message: 'session closed' } });
      try {
        const handler = requestHandlers[name] as (ctx: SessionContext, data: unknown) => Promise<unknown>;
        ack({ ok: true, data: await handler(this, parsed.data) });
      } catch (error) {
        if (error instanceof AppError) return reject(error.code, error.message, error.params);
        this.log.error({ err: error, request: name }, 'request failed');
        ack({ ok: false, error: { code: 'INTERNAL', message: 'internal error' } });
      }
    });
  }
}

/** Byte size of a decoded message, bounded in work: stops counting past the limit. */
function approximateSize(value: unknown): number {
  try {
    return Buffer.byteLength(JSON.stringify(value) ?? '');
  } catch {
    return Number.POSITIVE_INFINITY;
  }
}
