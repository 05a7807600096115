import crypto from 'node:crypto';
import { Router, type RequestHandler } from 'express';
import { ipKeyGenerator, rateLimit } from 'express-rate-limit';
import {
  AppError,
  SHARING_LIMITS,
  createInviteBodySchema,
  inviteIdSchema,
  inviteTokenBodySchema,
  roomIdSchema,
  type TokenResponse,
} from '@nomades/shared';
import type { RoomAccess } from '../access/RoomAccess.js';
import type { TokenService } from '../auth/TokenService.js';
import { adminAuth } from '../http/adminAuth.js';
import { roomTokenReader } from '../http/roomTokenAuth.js';
import { validateBody } from '../http/validateBody.js';
import type { RoomStore } from '../store/RoomStore.js';
import type { InviteService } from './InviteService.js';

export interface InvitesRouterDeps {
  store: RoomStore;
  tokens: TokenService;
  access: RoomAccess;
  invites: InviteService;
  adminKey: string;
  publicUrl: () => string;
}

/** Invitations on /api/rooms (INV-n in docs/spec/sharing.md). */
export function invitesRouter(deps: InvitesRouterDeps): Router {
  const router = Router();
  const admin = adminAuth(deps.adminKey);
  const roomTokenOf = roomTokenReader(deps);
  const roomOr404 = async (id: unknown) => {
    const parsed = roomIdSchema.safeParse(id);
    const room = parsed.success ? await deps.store.get(parsed.data) : undefined;
    if (!room) throw new AppError('ROOM_NOT_FOUND', 'no such room');
    return room;
  };

  router.post('/:id/invites', admin, async (req, res) => {
    const room = await roomOr404(req.params.id);
    res.status(201).json(await deps.invites.create(room, validateBody(createInviteBodySchema, req.body)));
  });

  router.get('/:id/invites', admin, async (req, res) => {
    res.json({ invites: await deps.invites.list((await roomOr404(req.params.id)).id) });
  });

  router.delete('/:id/invites/:inviteId', admin, async (req, res) => {
    const room = await roomOr404(req.params.id);
    const inviteId = inviteIdSchema.safeParse(req.params.inviteId);
    if (!inviteId.success) throw new AppError('NOT_FOUND', 'no such invitation in this room');
    await deps.invites.revoke(room.id, inviteId.data);
    res.status(204).end();
  });

  // INV-7: from the meeting, with a room token: hosts, and participants where the room allows it.
  router.post('/:id/invites/current', async (req, res) => {
    const { room, role } = await roomTokenOf(req);
    const allowed = role === 'host' || (role === 'participant' && room.participantsMayInvite);
    if (!allowed) throw new AppError('FORBIDDEN', 'your role may not invite people to this room', { role });
    res.json(await deps.invites.meetingInvite(room));
  });

  // INV-6: per client address and room, like guest tokens (ACCESS-6); only rooms that exist count.
  const roomExists: RequestHandler = async (req, _res, next) => {
    await roomOr404(req.params.id);
    next();
  };
  const inviteLimit = rateLimit({
    windowMs: SHARING_LIMITS.inviteTokenWindowMs,
    limit: SHARING_LIMITS.inviteTokensPerWindow,
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    keyGenerator: (req) => `${ipKeyGenerator(req.ip ?? 'unknown')}|${String(req.params.id)}`,
    handler: (_req, _res, next) =>
      next(
        new AppError(
          'RATE_LIMITED',
          `at most ${SHARING_LIMITS.inviteTokensPerWindow} invitation tokens per ${SHARING_LIMITS.inviteTokenWindowMs / 1000} s for this room from your address`,
        ),
      ),
  });

  // INV-4: one invitation, a fresh identity per call: ten colleagues with one link are ten participants.
  router.post('/:id/invite-token', roomExists, inviteLimit, async (req, res) => {
    const room = await roomOr404(req.params.id);
    const body = validateBody(inviteTokenBodySchema, req.body);
    const invite = await deps.invites.redeem(room, body.invite);
    const { token, claims } = await deps.tokens.mint({
      roomId: room.id,
      name: body.name,
      role: invite.role,
      identity: `invitee-${crypto.randomUUID()}`,
      guest: true,
      invite: invite.id,
      ttlSeconds: SHARING_LIMITS.inviteeTokenTtlSeconds,
    });
    const answer: TokenResponse = {
      token,
      joinUrl: `${deps.publicUrl()}/room/${encodeURIComponent(room.id)}?token=${encodeURIComponent(token)}`,
      expiresAt: new Date(claims.exp * 1000).toISOString(),
    };
    res.json(answer);
  });

  return router;
}
