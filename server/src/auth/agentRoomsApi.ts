import { Router } from 'express';
import type { RoomRegistry } from '../rooms/RoomRegistry.js';
import type { RoomMemberStore } from '../store/RoomMemberStore.js';
import type { RoomStore } from '../store/RoomStore.js';
import type { AgentSessionLookup } from './AgentSessionLookup.js';
import { AgentRooms } from './AgentRooms.js';
import { agentRoomsRoutes } from './agentRoomsRoutes.js';
import { roomOwnersAdminRoutes } from './roomOwnersAdminRoutes.js';
import { roomSettingsRoutes } from './roomSettingsRoutes.js';
import type { TokenService } from './TokenService.js';

export interface AgentRoomsApiDeps {
  sessions: AgentSessionLookup;
  store: RoomStore;
  members: RoomMemberStore;
  tokens: TokenService;
  registry: RoomRegistry;
  adminKey: string;
  guestAccess: boolean;
  ownersMayRecord: boolean;
  publicUrl: () => string;
}

/**
 * The rooms agents run (OWN-n) and the room token of a session (AUTH-9), mounted on /api before
 * the moderation API (whose admin check covers every /api/rooms/:id/…).
 */
export function agentRoomsApi(deps: AgentRoomsApiDeps): Router {
  const rooms = new AgentRooms({ sessions: deps.sessions, rooms: deps.store, members: deps.members });
  const router = Router();
  // One router (the OpenAPI coverage test walks no nested router: routeTable.ts).
  agentRoomsRoutes(router, { rooms, members: deps.members, tokens: deps.tokens, publicUrl: deps.publicUrl });
  roomSettingsRoutes(router, { ...deps, rooms });
  roomOwnersAdminRoutes(router, deps);
  return router;
}
