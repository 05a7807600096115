import crypto from 'node:crypto';
import { Router, type RequestHandler } from 'express';
import { AppError, can, roomIdSchema } from '@nomades/shared';
import type { RoomAccess } from '../access/RoomAccess.js';
import type { TokenService } from '../auth/TokenService.js';
import type { RoomStore } from '../store/RoomStore.js';
import { pollsCsv } from './pollsCsv.js';
import type { PollStorage } from './PollStorage.js';

export interface PollsRouterDeps {
  storage: PollStorage;
  store: RoomStore;
  adminKey: string;
  tokens: TokenService;
  access: RoomAccess;
}

/**
 * Mounted on /api, before the moderation API: `GET /rooms/:id/polls/:pollId.csv` (POLL-10), for
 * the admin key or a room token of the room whose live role has the `poll` right (hosts: ACCESS-8).
 * Read from the store once this node's writes for the room are done.
 */
export function pollsRouter(deps: PollsRouterDeps): Router {
  const router = Router();
  const adminKeyHash = crypto.createHash('sha256').update(deps.adminKey).digest();
  const isAdminKey = (given: string) => crypto.timingSafeEqual(crypto.createHash('sha256').update(given).digest(), adminKeyHash);

  const hostOrAdmin: RequestHandler = async (req, res, next) => {
    const parsed = roomIdSchema.safeParse(req.params.id);
    const room = parsed.success ? await deps.store.get(parsed.data) : undefined;
    if (!room) throw new AppError('ROOM_NOT_FOUND', 'no such room');
    const match = /^Bearer (.+)$/.exec(req.headers.authorization ?? '');
    if (!match) throw new AppError('UNAUTHORIZED', 'the admin key or a host\'s room token is required: Authorization: Bearer …');
    if (!isAdminKey(match[1]!)) {
      const claims = await deps.tokens.verify(match[1]!, room.id);
      const role = await deps.access.role(room.id, claims);
      if (!can(role, 'poll')) throw new AppError('FORBIDDEN', 'only the room\'s hosts export its polls', { role });
    }
    res.locals.roomId = room.id;
    next();
  };

  router.get('/rooms/:id/polls/:pollId.csv', hostOrAdmin, async (req, res) => {
    const roomId = res.locals.roomId as string;
    await deps.storage.idle(roomId);
    const stored = await deps.storage.store.load(roomId);
    const poll = stored.polls.find((p) => p.id === req.params.pollId);
    if (!poll) throw new AppError('NOT_FOUND', 'no such poll in this room');
    const csv = pollsCsv(poll, stored.ballots.filter((b) => b.pollId === poll.id));
    res.setHeader('content-type', 'text/csv; charset=utf-8');
    res.setHeader('content-disposition', `attachment; filename="sondage-${poll.id.slice(0, 8)}.csv"`);
    res.setHeader('cache-control', 'no-store');
    res.send(csv);
  });
  return router;
}
