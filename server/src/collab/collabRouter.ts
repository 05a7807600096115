import { Router } from 'express';
import { AppError, chatEraseQuerySchema, roomIdSchema, type ChatEraseResponse, type ChatHistory } from '@nomades/shared';
import { adminAuth } from '../http/adminAuth.js';
import type { RoomStore } from '../store/RoomStore.js';
import type { CollabServer } from './CollabServer.js';

export interface CollabRouterDeps {
  collab: CollabServer;
  store: RoomStore;
  adminKey: string;
  tldrawLicenseKey?: string;
}

/**
 * Mounted on /api: `GET /rooms/:id/chat` and `GET /rooms/:id/board` (admin key) read a room's
 * chat history and board; `DELETE /rooms/:id/chat/messages?identity=` erases one identity's
 * messages (RET-3); `GET /collab/config` (public) gives the web client its tldraw license key.
 */
export function collabRouter(deps: CollabRouterDeps): Router {
  const router = Router();
  const admin = adminAuth(deps.adminKey);
  const roomId = async (id: string): Promise<string> => {
    const parsed = roomIdSchema.safeParse(id);
    if (!parsed.success || !(await deps.store.get(parsed.data))) throw new AppError('ROOM_NOT_FOUND', 'no such room');
    return parsed.data;
  };

  router.get('/rooms/:id/chat', admin, async (req, res) => {
    const body: ChatHistory = { messages: await deps.collab.chatOf(await roomId(String(req.params.id))) };
    res.json(body);
  });
  // RET-3: one identity's messages erased from the room's chat (live clients see them go).
  router.delete('/rooms/:id/chat/messages', admin, async (req, res) => {
    const id = await roomId(String(req.params.id));
    const query = chatEraseQuerySchema.safeParse(req.query);
    if (!query.success) throw new AppError('BAD_REQUEST', `identity: ${query.error.issues[0].message}`);
    const body: ChatEraseResponse = { removed: await deps.collab.removeChat(id, (m) => m.authorId === query.data.identity) };
    res.json(body);
  });
  router.get('/rooms/:id/board', admin, async (req, res) => {
    res.json(await deps.collab.boardOf(await roomId(String(req.params.id))));
  });
  router.get('/collab/config', (_req, res) => {
    res.setHeader('Cache-Control', 'no-cache');
    res.json({ tldrawLicenseKey: deps.tldrawLicenseKey ?? null });
  });
  return router;
}
