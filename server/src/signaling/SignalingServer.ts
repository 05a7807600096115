import type http from 'node:http';
import { Server as IoServer, type Socket } from 'socket.io';
import { ACCESS_LIMITS, AppError, HEARTBEAT_LIMITS, nodeUrlSchema, roomIdSchema, type ErrorCode, type RoomInfo, type TokenClaims } from '@nomades/shared';
import { clientAddress } from '../access/clientAddress.js';
import type { RoomAccess } from '../access/RoomAccess.js';
import type { TokenService } from '../auth/TokenService.js';
import { forwardedPrefix } from '../cluster/forwardedPrefix.js';
import { ONE_NODE, type RoomLocation, type RoomPlacement } from '../cluster/RoomPlacement.js';
import { storeUnavailable } from '../store/storeErrors.js';
import type { Logger } from '../logging/logger.js';
import type { JoinTimings } from '../metrics/Metrics.js';
import type { IceServer } from '../reach/TurnCredentials.js';
import type { RoomRegistry } from '../rooms/RoomRegistry.js';
import type { RoomStore } from '../store/RoomStore.js';
import { PeerSession } from './PeerSession.js';
import { SingleFlight } from './SingleFlight.js';
import { SocketQuota } from './SocketQuota.js';

/** socket.io's path (engine.io serves its HTTP requests and upgrades itself). */
export const SOCKET_IO_PATH = '/socket.io/';

/** Hard ceiling of one socket.io frame; larger frames close the connection (ws 1009). */
const MAX_FRAME_BYTES = 1_000_000;

interface SocketData {
  claims: TokenClaims;
  roomId: string;
  /** The room as read at the handshake (the connection handler that follows is synchronous). */
  roomInfo: RoomInfo;
}

/** Connections refused or ended by the limits of SIG-11 and SIG-12, since start. */
export interface SignalingStats {
  refusedPerIdentity: number;
  refusedPerRoom: number;
  slowConsumers: number;
}

/**
 * socket.io binding: authenticates the handshake (token + room, SIG-0), applies the connection
 * limits (SIG-11, SIG-12), then hands the socket to a PeerSession.
 */
export class SignalingServer {
  readonly io: IoServer;
  readonly stats: SignalingStats = { refusedPerIdentity: 0, refusedPerRoom: 0, slowConsumers: 0 };
  readonly #sessions = new Set<PeerSession>();
  readonly #quota = new SocketQuota();
  readonly #queueTimer: NodeJS.Timeout;
  readonly #registry: RoomRegistry;
  #closed = false;

  constructor(
    httpServer: http.Server,
    deps: {
      tokens: TokenService;
      store: RoomStore;
      registry: RoomRegistry;
      access: RoomAccess;
      log: Logger;
      iceServers?: (peerId: string) => IceServer[];
      /** OPS-3: the join histogram. */
      timings?: JoinTimings;
      /** NODE-2: where rooms run (ONE_NODE when absent). */
      placement?: RoomPlacement;
    },
  ) {
    const log = deps.log.child({ name: 'signaling' });
    this.#registry = deps.registry;
    const placement = deps.placement ?? ONE_NODE;
    // A burst of joins to one room asks the same two questions at once: asked once (SingleFlight).
    const roomReads = new SingleFlight<RoomInfo | undefined>();
    const placements = new SingleFlight<RoomLocation>();
    this.io = new IoServer(httpServer, {
      path: SOCKET_IO_PATH.slice(0, -1),
      maxHttpBufferSize: MAX_FRAME_BYTES,
      pingInterval: HEARTBEAT_LIMITS.pingIntervalMs,
      pingTimeout: HEARTBEAT_LIMITS.pingTimeoutMs,
      connectTimeout: 10_000,
      serveClient: false,
      // Other upgrades on this HTTP server (/collab) are not socket.io's to destroy.
      destroyUpgrade: false,
    });
    this.io.use(async (socket: Socket, next) => {
      try {
        const auth = (socket.handshake.auth ?? {}) as Record<string, unknown>;
        const roomId = roomIdSchema.safeParse(auth.roomId);
        if (!roomId.success) throw new AppError('BAD_REQUEST', 'handshake needs a valid roomId');
        const claims = await deps.tokens.verify(auth.token, roomId.data);
        const info = await roomReads.run(roomId.data, () => deps.store.get(roomId.data));
        if (!info) throw new AppError('ROOM_NOT_FOUND', 'no such room');
        // NODE-2: a room runs on one node; a handshake that reached another is sent there.
        const unreachable = nodeUrlSchema.safeParse(auth.unreachable); // NODE-5b
        const prefix = forwardedPrefix(socket.request);
        const where = unreachable.success
          ? await placement.place(info.id, prefix, unreachable.data)
          : await placements.run(`${info.id} ${prefix ?? ''}`, () => placement.place(info.id, prefix));
        if (!where.here) throw new AppError('WRONG_NODE', 'the room runs on another node', { node: where.node });
        this.#checkQuota(claims.sub, info.id, info.maxParticipants);
        (socket.data as SocketData) = { claims, roomId: roomId.data, roomInfo: info };
        next();
      } catch (error) {
        const appError = error instanceof AppError ? error : (storeUnavailable(error) ?? new AppError('INTERNAL', 'authentication failed'));
        if (!(error instanceof AppError)) log[appError.code === 'UNAVAILABLE' ? 'warn' : 'error']({ err: error }, 'handshake failed');
        else if (appError.code === 'WRONG_NODE') log.debug({ node: appError.params?.node }, 'handshake sent to the room\'s node');
        else log.warn({ code: appError.code }, `handshake refused: ${appError.message}`);
        const refusal = new Error(appError.message) as Error & { data: unknown };
        refusal.data = appError.toPayload();
        next(refusal);
      }
    });
    this.io.on('connection', (socket) => {
      if (this.#closed) return void socket.disconnect(true);
      const { claims, roomId, roomInfo } = socket.data as SocketData;
      let release: () => void;
      try {
        // Counted here, not in the middleware: a handshake whose client left never connects.
        release = this.#quota.acquire(claims.sub, roomId, roomInfo.maxParticipants);
      } catch (error) {
        this.#countRefusal(error);
        socket.emit('closing', { error: (error as AppError).toPayload() });
        return void socket.disconnect(true);
      }
      const session: PeerSession = new PeerSession(socket, {
        claims,
        roomInfo,
        registry: deps.registry,
        iceServers: deps.iceServers,
        access: deps.access,
        address: clientAddress(socket.request),
        timings: deps.timings,
        otherNodes: () => placement.otherNodes(),
        log,
        onClose: () => {
          release();
          this.#sessions.delete(session);
        },
      });
      this.#sessions.add(session);
      session.start();
    });
    // SIG-12: a socket that does not read what it is sent is reset past maxQueuedBytesPerSocket.
    this.#queueTimer = setInterval(() => {
      for (const session of [...this.#sessions]) {
        const bytes = session.queuedBytes();
        if (bytes <= ACCESS_LIMITS.maxQueuedBytesPerSocket) continue;
        this.stats.slowConsumers++;
        session.dropSlowConsumer(bytes);
      }
    }, ACCESS_LIMITS.queueCheckMs);
    this.#queueTimer.unref();
  }

  #checkQuota(identity: string, roomId: string, maxParticipants: number): void {
    try {
      this.#quota.check(identity, roomId, maxParticipants);
    } catch (error) {
      this.#countRefusal(error);
      throw error;
    }
  }

  #countRefusal(error: unknown): void {
    if (error instanceof AppError && error.code === 'ROOM_FULL') this.stats.refusedPerRoom++;
    else this.stats.refusedPerIdentity++;
  }

  get sessionCount(): number {
    return this.#sessions.size;
  }

  /**
   * Ends the sessions of one room on this node: the room moved to another node (NODE-5, NODE-7).
   * A non-final code brings its clients back: WRONG_NODE with `params.node` sends them straight there.
   */
  endRoom(roomId: string, error: AppError): void {
    for (const s of [...this.#sessions]) if (s.roomId === roomId) s.end(error.code, error.message, error.params);
  }

  /**
   * AUTH-11/12: ends the sessions on this node whose token has one of these `sid` claims, joined,
   * waiting in a lobby or in their resume grace (SESSION_ENDED, final). RoomAccess refuses their
   * tokens from then on.
   */
  endSessions(sids: ReadonlySet<string>): void {
    for (const s of [...this.#sessions]) if (s.sessionId !== undefined && sids.has(s.sessionId)) s.end('SESSION_ENDED', 'your session ended');
    this.#registry.endSessions(sids);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#queueTimer);
    for (const s of [...this.#sessions]) s.end('UNAVAILABLE', 'the server is shutting down');
    this.#sessions.clear();
    await new Promise<void>((resolve) => this.io.close(() => resolve()));
  }
}
