import crypto from 'node:crypto';
import { Router, type RequestHandler } from 'express';
import { ipKeyGenerator, rateLimit } from 'express-rate-limit';
import {
  ACCESS_LIMITS,
  roomsByOwnerQuerySchema,
  AppError,
  LIMITS,
  createRoomBodySchema,
  guestTokenBodySchema,
  mintTokenBodySchema,
  roomIdSchema,
  SHARING_LIMITS,
  slugifyRoomName,
  updateRoomBodySchema,
  type PublicRoomInfo,
  type TokenResponse,
} from '@nomades/shared';
import type { TokenService } from '../auth/TokenService.js';
import type { RoomMemberStore } from '../store/RoomMemberStore.js';
import type { RoomStore } from '../store/RoomStore.js';
import { adminAuth } from './adminAuth.js';
import { validateBody } from './validateBody.js';

export interface RoomsRouterDeps {
  store: RoomStore;
  tokens: TokenService;
  adminKey: string;
  guestAccess: boolean;
  publicUrl: () => string;
  /** REC-V4: days a recording is kept (RECORDING_RETENTION_DAYS), null: until an administrator deletes it. */
  recordingRetentionDays: number | null;
  /** RET-2: CHAT_RETENTION_DAYS, in the public room info. */
  chatRetentionDays?: number | null;
  /** ROOM-7: deletes a room and what its id keys (RoomDeletion); without it, DELETE is not offered. */
  deleteRoom?: (id: string) => Promise<void>;
  /** OWN-5/8: owners and guest rule of the rooms agents run (RoomMemberStore); without it, every room is an admin room. */
  members?: Pick<RoomMemberStore, 'ownership' | 'roomsOwnedBy'>;
}

/** A generated room id: 11 characters a–z, 0–9. */
const randomRoomId = () => crypto.randomBytes(8).toString('base64url').replace(/[-_]/g, 'x').toLowerCase();

/** /api/rooms: admin room creation and token minting, guest tokens. */
export function roomsRouter(deps: RoomsRouterDeps): Router {
  const router = Router();
  const admin = adminAuth(deps.adminKey);

  const roomOr404 = async (id: string) => {
    const parsed = roomIdSchema.safeParse(id);
    const room = parsed.success ? await deps.store.get(parsed.data) : undefined;
    if (!room) throw new AppError('ROOM_NOT_FOUND', 'no such room');
    return room;
  };

  /** OWN-5: the room's own rule when it has one (an agent's room), else the service's (GUEST_ACCESS). */
  const guestRule = async (roomId: string) => {
    const ownership = await deps.members?.ownership(roomId);
    return { guestsAllowed: ownership?.guestsAllowed ?? deps.guestAccess, agentRoom: Boolean(ownership?.createdBy) };
  };

  const tokenResponse = async (roomId: string, mint: Parameters<TokenService['mint']>[0]): Promise<TokenResponse> => {
    const { token, claims } = await deps.tokens.mint(mint);
    return {
      token,
      joinUrl: `${deps.publicUrl()}/room/${encodeURIComponent(roomId)}?token=${encodeURIComponent(token)}`,
      expiresAt: new Date(claims.exp * 1000).toISOString(),
    };
  };

  router.post('/', admin, async (req, res) => {
    const body = validateBody(createRoomBodySchema, req.body);
    // NAME-2: no id given: the slug of the name (stable), else a random one.
    const chosen = body.id ?? ((body.name ? slugifyRoomName(body.name) : '') || randomRoomId());
    const mode = body.mode ?? 'meeting';
    const room = await deps.store.create({
      id: chosen,
      name: body.name ?? chosen,
      mode,
      record: body.record ?? false,
      maxScreenShares: body.maxScreenShares,
      recordingViewers: body.recordingViewers,
      participantsMayInvite: body.participantsMayInvite,
      maxParticipants:
        body.maxParticipants ?? (mode === 'coffee' ? LIMITS.defaultCoffeeParticipants : LIMITS.defaultMaxParticipants),
    });
    if (!room) throw new AppError('CONFLICT', 'a room with this id exists', { id: chosen });
    res.status(201).json(room);
  });

  router.patch('/:id', admin, async (req, res) => {
    const room = await roomOr404(String(req.params.id));
    const patch = validateBody(updateRoomBodySchema, req.body);
    const updated = await deps.store.update(room.id, patch);
    if (!updated) throw new AppError('ROOM_NOT_FOUND', 'no such room');
    res.json(updated);
  });

  router.delete('/:id', admin, async (req, res) => {
    if (!deps.deleteRoom) throw new AppError('NOT_FOUND', 'rooms cannot be deleted on this server');
    const room = await roomOr404(String(req.params.id));
    await deps.deleteRoom(room.id);
    res.status(204).end();
  });

  router.get('/', admin, async (req, res) => {
    const rooms = await deps.store.list();
    // OWN-8: the rooms an agent owns, by email.
    const owner = validateBody(roomsByOwnerQuerySchema, req.query).owner;
    if (owner === undefined) return void res.json({ rooms });
    const owned = new Set(await (deps.members?.roomsOwnedBy(owner.toLowerCase()) ?? []));
    res.json({ rooms: rooms.filter((r) => owned.has(r.id)) });
  });

  router.get('/:id', admin, async (req, res) => {
    res.json(await roomOr404(String(req.params.id)));
  });

  // NAME-3: what the pre-join shows (name, recording notice), without auth, per client address.
  const publicLimit = rateLimit({
    windowMs: SHARING_LIMITS.publicInfoWindowMs,
    limit: SHARING_LIMITS.publicInfoPerWindow,
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    keyGenerator: (req) => ipKeyGenerator(req.ip ?? 'unknown'),
    handler: (_req, _res, next) =>
      next(new AppError('RATE_LIMITED', `at most ${SHARING_LIMITS.publicInfoPerWindow} room look-ups per ${SHARING_LIMITS.publicInfoWindowMs / 1000} s from your address`)),
  });
  router.get('/:id/public', publicLimit, async (req, res) => {
    const room = await roomOr404(String(req.params.id));
    const info: PublicRoomInfo = {
      id: room.id,
      name: room.name,
      mode: room.mode,
      record: room.record,
      participantsMayInvite: room.participantsMayInvite,
      recordingViewers: room.recordingViewers,
      recordingNotice: room.record ? { retentionDays: deps.recordingRetentionDays, viewers: room.recordingViewers } : null,
      chatRetentionDays: deps.chatRetentionDays ?? null,
      ...(await guestRule(room.id)),
    };
    res.setHeader('Cache-Control', 'no-store');
    res.json(info);
  });

  router.post('/:id/tokens', admin, async (req, res) => {
    const room = await roomOr404(String(req.params.id));
    const body = validateBody(mintTokenBodySchema, req.body);
    res.json(
      await tokenResponse(room.id, {
        roomId: room.id,
        name: body.name,
        role: body.role ?? 'participant',
        identity: body.identity,
        ttlSeconds: body.ttlSeconds,
      }),
    );
  });

  // ACCESS-6: guest tokens per client address and room (only rooms that exist count: the memory
  // follows real rooms, and express-rate-limit's store forgets each window).
  const guestOpen: RequestHandler = async (req, _res, next) => {
    const room = await roomOr404(String(req.params.id));
    if (!(await guestRule(room.id)).guestsAllowed) throw new AppError('GUEST_ACCESS_DISABLED', 'guests may not join this room');
    next();
  };
  const guestLimit = rateLimit({
    windowMs: ACCESS_LIMITS.guestTokenWindowMs,
    limit: ACCESS_LIMITS.guestTokensPerWindow,
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    keyGenerator: (req) => `${ipKeyGenerator(req.ip ?? 'unknown')}|${String(req.params.id)}`,
    handler: (_req, _res, next) =>
      next(new AppError('RATE_LIMITED', `at most ${ACCESS_LIMITS.guestTokensPerWindow} guest tokens per ${ACCESS_LIMITS.guestTokenWindowMs / 1000} s for this room from your address`)),
  });

  router.post('/:id/guest', guestOpen, guestLimit, async (req, res) => {
    const room = await roomOr404(String(req.params.id));
    const body = validateBody(guestTokenBodySchema, req.body);
    res.json(
      await tokenResponse(room.id, {
        roomId: room.id,
        name: body.name,
        // ROLE-5: a webinar's guests are attendees (the server applies it at join too).
        role: room.mode === 'webinar' ? 'attendee' : 'participant',
        guest: true,
        ttlSeconds: LIMITS.guestTokenTtlSeconds,
      }),
    );
  });

  return router;
}
