import type { Request } from 'express';
import { AppError, roomIdSchema, type Role, type RoomInfo, type TokenClaims } from '@nomades/shared';
import type { RoomAccess } from '../access/RoomAccess.js';
import type { TokenService } from '../auth/TokenService.js';
import type { RoomStore } from '../store/RoomStore.js';

export interface RoomTokenHolder {
  room: RoomInfo;
  claims: TokenClaims;
  /** The identity's live role in the room (ACCESS-8): a host's promotion or demotion counts. */
  role: Role;
}

/**
 * ACCESS-8: `Authorization: Bearer <room token>` for the room of `:id`. ROOM_NOT_FOUND,
 * TOKEN_MISSING, TOKEN_INVALID (also for an invitation or any other credential), TOKEN_EXPIRED,
 * TOKEN_WRONG_ROOM, REMOVED.
 */
export function roomTokenReader(deps: { tokens: TokenService; access: RoomAccess; store: RoomStore }) {
  return async (req: Request): Promise<RoomTokenHolder> => {
    const parsed = roomIdSchema.safeParse(req.params.id);
    const room = parsed.success ? await deps.store.get(parsed.data) : undefined;
    if (!room) throw new AppError('ROOM_NOT_FOUND', 'no such room');
    const match = /^Bearer (.+)$/.exec(req.headers.authorization ?? '');
    if (!match) throw new AppError('TOKEN_MISSING', 'a room token is required: Authorization: Bearer <token>');
    const claims = await deps.tokens.verify(match[1], room.id);
    return { room, claims, role: await deps.access.role(room.id, claims) };
  };
}
