import type { Router } from 'express';
import { AppError, handOverBodySchema, roomIdSchema, type HandOverAnswer } from '@nomades/shared';
import { adminAuth } from '../http/adminAuth.js';
import { validateBody } from '../http/validateBody.js';
import type { RoomMemberStore } from '../store/RoomMemberStore.js';

/** OWN-8: an operator hands a room to another agent (`PUT /api/rooms/:id/owner`, admin key), added to `router` (mounted on /api). */
export function roomOwnersAdminRoutes(router: Router, deps: { members: RoomMemberStore; adminKey: string }): void {
  router.put('/rooms/:id/owner', adminAuth(deps.adminKey), async (req, res) => {
    const id = roomIdSchema.safeParse(String(req.params.id));
    const email = validateBody(handOverBodySchema, req.body).email.toLowerCase();
    if (!/^[^\s@]+@[^\s@]+$/.test(email)) throw new AppError('BAD_REQUEST', 'email: an email address');
    if (!id.success || !(await deps.members.handOver(id.data, email))) throw new AppError('ROOM_NOT_FOUND', 'no such room');
    const answer: HandOverAnswer = { id: id.data, owner: email };
    res.json(answer);
  });
}
