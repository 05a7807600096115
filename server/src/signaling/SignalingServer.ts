import type http from 'node:http';
import { Server as IoServer, type Socket } from 'socket.io';
import { AppError, roomIdSchema, type TokenClaims } from '@nomades/shared';
import type { TokenService } from '../auth/TokenService.js';
import type { Logger } from '../logging/logger.js';
import type { RoomRegistry } from '../rooms/RoomRegistry.js';
import type { RoomStore } from '../store/RoomStore.js';
import { PeerSession } from './PeerSession.js';

/** Hard ceiling of one socket.io frame; larger frames close the connection (ws 1009). */
const MAX_FRAME_BYTES = 1_000_000;

interface SocketData {
  claims: TokenClaims;
  roomId: string;
}

/**
 * socket.io binding: authenticates the handshake (token + room, SIG-0), then hands the socket to
 * a PeerSession.
 */
export class SignalingServer {
  readonly io: IoServer;
  readonly #sessions = new Set<PeerSession>();
  #closed = false;

  constructor(
    httpServer: http.Server,
    deps: { tokens: TokenService; store: RoomStore; registry: RoomRegistry; log: Logger },
  ) {
    const log = deps.log.child({ name: 'signaling' });
    this.io = new IoServer(httpServer, {
      maxHttpBufferSize: MAX_FRAME_BYTES,
      pingInterval: 5_000,
      pingTimeout: 5_000,
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
        if (!deps.store.get(roomId.data)) throw new AppError('ROOM_NOT_FOUND', 'no such room');
        (socket.data as SocketData) = { claims, roomId: roomId.data };
        next();
      } catch (error) {
        const appError = error instanceof AppError ? error : new AppError('INTERNAL', 'authentication failed');
        if (!(error instanceof AppError)) log.error({ err: error }, 'handshake failed');
        else log.warn({ code: appError.code }, `handshake refused: ${appError.message}`);
        const refusal = new Error(appError.message) as Error & { data: unknown };
        refusal.data = appError.toPayload();
        next(refusal);
      }
    });
    this.io.on('connection', (socket) => {
      if (this.#closed) return void socket.disconnect(true);
      const { claims, roomId } = socket.data as SocketData;
      const roomInfo = deps.store.get(roomId);
      if (!roomInfo) return void socket.disconnect(true);
      const session: PeerSession = new PeerSession(socket, {
        claims,
        roomInfo,
        registry: deps.registry,
        log,
        onClose: () => this.#sessions.delete(session),
      });
      this.#sessions.add(session);
      session.start();
    });
  }

  get sessionCount(): number {
    return this.#sessions.size;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const s of [...this.#sessions]) s.end('UNAVAILABLE', 'the server is shutting down');
    this.#sessions.clear();
    await new Promise<void>((resolve) => this.io.close(() => resolve()));
  }
}
