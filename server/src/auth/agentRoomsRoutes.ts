import type { RequestHandler, Router } from 'express';
import { ipKeyGenerator, rateLimit } from 'express-rate-limit';
import {
  AUTH_LIMITS,
  AppError,
  LIMITS,
  newAgentRoomBodySchema,
  type MyRoom,
  type MyRoomsAnswer,
  type SessionTokenAnswer,
} from '@nomades/shared';
import { validateBody } from '../http/validateBody.js';
import type { TokenService } from './TokenService.js';
import type { RoomMemberStore, StoredMember } from '../store/RoomMemberStore.js';
import type { AgentRooms } from './AgentRooms.js';
import { readableRoomName, roomCandidates } from './agentRoomName.js';
import { passesLobby, roleOf, type RoomRelation } from './roomRoleOf.js';
import { sameOriginOnly } from './sameOrigin.js';
import { hashOf } from './authCookies.js';

export interface AgentRoomsRouterDeps {
  rooms: AgentRooms;
  members: RoomMemberStore;
  tokens: TokenService;
  publicUrl: () => string;
}

/**
 * Per client address and session cookie: `limit` calls per minute (AUTH_LIMITS), like the guest
 * route's limit (ACCESS-6); agents behind one city proxy share an address, not a session.
 */
export function agentLimit(limit: number): RequestHandler {
  return rateLimit({
    windowMs: AUTH_LIMITS.agentRoutesWindowMs,
    limit,
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    keyGenerator: (req) => `${ipKeyGenerator(req.ip ?? 'unknown')}|${hashOf(req.headers.cookie ?? '').slice(0, 16)}`,
    handler: (_req, _res, next) => next(new AppError('RATE_LIMITED', `at most ${limit} calls per minute from your address`)),
  });
}

const RANK: Record<RoomRelation, number> = { owner: 3, host: 2, member: 1, agent: 0 };

/**
 * The routes of a signed-in agent (cookie): a room token from the session (AUTH-9), "Mes salles"
 * (OWN-4) and "Nouvelle réunion" (OWN-1), added to `router` (mounted on /api).
 */
export function agentRoomsRoutes(router: Router, deps: AgentRoomsRouterDeps): void {
  const sameOrigin = sameOriginOnly(deps.publicUrl);
  const limit = agentLimit(AUTH_LIMITS.agentRoutesPerWindow);
  const link = (id: string) => `${deps.publicUrl()}/room/${encodeURIComponent(id)}`;

  // AUTH-9: the role the room gives (OWN-2), until the session's end (at most 8 h), with its sid.
  router.post('/rooms/:id/session-token', limit, sameOrigin, async (req, res) => {
    const { agent, room, relation } = await deps.rooms.view(req);
    const ttlSeconds = Math.min(AUTH_LIMITS.sessionTokenMaxTtlS, Math.floor((agent.expiresAtMs - Date.now()) / 1000));
    if (ttlSeconds <= 0) throw new AppError('LOGIN_REQUIRED', 'your session has ended: sign in again');
    const role = roleOf(relation, room.mode);
    const { token, claims } = await deps.tokens.mint({
      roomId: room.id,
      name: agent.name.slice(0, LIMITS.maxDisplayNameLength),
      role,
      identity: agent.key,
      ttlSeconds,
      sid: agent.sessionHash,
      ...(passesLobby(relation) ? { pass: 'lobby' as const } : {}),
    });
    const answer: SessionTokenAnswer = { token, expiresAt: new Date(claims.exp * 1000).toISOString(), role, relation };
    res.setHeader('Cache-Control', 'no-store');
    res.json(answer);
  });

  // OWN-4: the rooms the agent owns, hosts or belongs to (by email or group).
  router.get('/me/rooms', limit, async (req, res) => {
    const agent = await deps.rooms.agent(req);
    const found = await deps.members.roomsOf({ key: agent.key, email: agent.email?.toLowerCase() ?? null, groups: agent.groups });
    const rooms: MyRoom[] = found.map(({ room, roles }) => {
      const relation = roles.reduce<RoomRelation>((best, r) => (RANK[r] > RANK[best] ? r : best), 'agent');
      return { id: room.id, name: room.name, mode: room.mode, relation: relation === 'agent' ? 'member' : relation, url: link(room.id) };
    });
    const answer: MyRoomsAnswer = { rooms };
    res.setHeader('Cache-Control', 'no-store');
    res.json(answer);
  });

  // OWN-1: "Nouvelle réunion": a readable name, its slug as id (suffixed when taken), the creator as owner.
  router.post('/me/rooms', agentLimit(AUTH_LIMITS.newRoomsPerWindow), sameOrigin, async (req, res) => {
    const agent = await deps.rooms.agent(req);
    const body = validateBody(newAgentRoomBodySchema, req.body ?? {});
    if ((await deps.members.countCreatedBy(agent.key)) >= AUTH_LIMITS.maxOwnedRooms) {
      throw new AppError('CONFLICT', `at most ${AUTH_LIMITS.maxOwnedRooms} rooms per agent: delete or hand over one first`);
    }
    const mode = body.mode ?? 'meeting';
    const owners: StoredMember[] = [{ kind: 'agent', value: agent.key, role: 'owner' }];
    if (agent.email) owners.push({ kind: 'email', value: agent.email.toLowerCase(), role: 'owner' });
    for (const candidate of roomCandidates(body.name ?? readableRoomName(agent.name, new Date(), mode), 50)) {
      const room = await deps.members.createAgentRoom(
        {
          ...candidate,
          mode,
          record: false,
          maxParticipants: mode === 'coffee' ? LIMITS.defaultCoffeeParticipants : LIMITS.defaultMaxParticipants,
          createdBy: agent.key,
          guestsAllowed: false,
        },
        owners,
      );
      if (!room) continue;
      const answer: MyRoom = { id: room.id, name: room.name, mode: room.mode, relation: 'owner', url: link(room.id) };
      res.status(201).json(answer);
      return;
    }
    throw new AppError('CONFLICT', 'no free room id for this name: choose another name');
  });
}
