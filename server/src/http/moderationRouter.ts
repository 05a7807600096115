import { Router } from 'express';
import {
  AppError,
  lobbyBodySchema,
  lockBodySchema,
  muteAllBodySchema,
  muteBodySchema,
  roleBodySchema,
  roomIdSchema,
  unlockBodySchema,
} from '@nomades/shared';
import type { Logger } from '../logging/logger.js';
import { Moderator, liveRoom } from '../moderation/Moderator.js';
import type { RoomRegistry } from '../rooms/RoomRegistry.js';
import type { RoomStore } from '../store/RoomStore.js';
import { adminAuth } from './adminAuth.js';
import { validateBody } from './validateBody.js';

export interface ModerationRouterDeps {
  store: RoomStore;
  registry: RoomRegistry;
  adminKey: string;
  log: Logger;
}

const peerId = (value: unknown): string => {
  const id = String(value);
  if (id.length === 0 || id.length > 64) throw new AppError('BAD_REQUEST', 'bad participant id');
  return id;
};

/**
 * The admin moderation API (the intranet portal), with the admin key: the same operations as a
 * host's signaling requests (MOD-n, LOBBY-n). Actions answer 204, or 404 when nobody is in the room.
 */
export function moderationRouter(deps: ModerationRouterDeps): Router {
  const router = Router();
  const moderator = new Moderator(deps.log);
  router.use('/:id', adminAuth(deps.adminKey), async (req, _res, next) => {
    const parsed = roomIdSchema.safeParse(req.params.id);
    if (!parsed.success || !(await deps.store.get(parsed.data))) return next(new AppError('ROOM_NOT_FOUND', 'no such room'));
    // MOD-10: the room's moderation state is read before the handlers below decide (synchronously).
    await deps.registry.loadControls(parsed.data);
    next();
  });
  const live = (id: unknown) => liveRoom(deps.registry, String(id));
  const controls = (id: unknown) => deps.registry.controls(String(id));

  router.get('/:id/participants', (req, res) => {
    const room = deps.registry.get(String(req.params.id));
    res.json({
      peers: room ? [...room.peers()].map((p) => p.info()) : [],
      controls: controls(req.params.id).view(true, ''),
    });
  });

  router.post('/:id/participants/:peerId/mute', async (req, res) => {
    const body = validateBody(muteBodySchema, req.body);
    await moderator.mute(live(req.params.id), peerId(req.params.peerId), body.source ?? 'microphone', body.lock ?? false, 'admin');
    res.status(204).end();
  });

  router.post('/:id/participants/:peerId/unlock', (req, res) => {
    const body = validateBody(unlockBodySchema, req.body);
    moderator.unlock(live(req.params.id), peerId(req.params.peerId), body.source);
    res.status(204).end();
  });

  router.post('/:id/participants/:peerId/role', (req, res) => {
    const body = validateBody(roleBodySchema, req.body);
    moderator.setRole(live(req.params.id), peerId(req.params.peerId), body.role, 'admin');
    res.status(204).end();
  });

  router.delete('/:id/participants/:peerId/hand', (req, res) => {
    moderator.setHand(live(req.params.id), peerId(req.params.peerId), false);
    res.status(204).end();
  });

  router.delete('/:id/participants/:peerId', (req, res) => {
    moderator.remove(live(req.params.id), peerId(req.params.peerId), 'admin');
    res.status(204).end();
  });

  router.post('/:id/mute-all', async (req, res) => {
    const body = validateBody(muteAllBodySchema, req.body);
    res.json({ muted: await moderator.muteAll(live(req.params.id), body.lock ?? false, 'admin') });
  });

  router.post('/:id/lock', (req, res) => {
    controls(req.params.id).setLocked(validateBody(lockBodySchema, req.body).locked);
    res.status(204).end();
  });

  router.post('/:id/lobby', (req, res) => {
    controls(req.params.id).setLobbyEnabled(validateBody(lobbyBodySchema, req.body).enabled);
    res.status(204).end();
  });

  router.post('/:id/lobby/:entryId/admit', (req, res) => {
    controls(req.params.id).admit(peerId(req.params.entryId));
    res.status(204).end();
  });

  router.post('/:id/lobby/:entryId/refuse', (req, res) => {
    controls(req.params.id).refuse(peerId(req.params.entryId));
    res.status(204).end();
  });

  return router;
}
