import type { Request } from 'express';
import { AppError, roomIdSchema, type RoomInfo } from '@nomades/shared';
import type { RoomMemberStore, RoomOwnership } from '../store/RoomMemberStore.js';
import type { RoomStore } from '../store/RoomStore.js';
import type { AgentSessionLookup } from './AgentSessionLookup.js';
import { relationOf, type RoomRelation } from './roomRoleOf.js';
import type { SignedInAgent } from './SignedInAgent.js';

/** A room as a signed-in agent sees it: the room, its owners and members, and the agent's relation to it (OWN-2). */
export interface AgentView {
  agent: SignedInAgent;
  room: RoomInfo;
  ownership: RoomOwnership;
  relation: RoomRelation;
}

/**
 * The questions every route of the rooms agents run asks first: who is signed in (LOGIN_REQUIRED
 * otherwise), which room (ROOM_NOT_FOUND), what it makes of them (OWN-2), and for settings,
 * whether they own it (FORBIDDEN).
 */
export class AgentRooms {
  readonly #sessions: AgentSessionLookup;
  readonly #rooms: RoomStore;
  readonly #members: RoomMemberStore;

  constructor(deps: { sessions: AgentSessionLookup; rooms: RoomStore; members: RoomMemberStore }) {
    this.#sessions = deps.sessions;
    this.#rooms = deps.rooms;
    this.#members = deps.members;
  }

  async agent(req: Request): Promise<SignedInAgent> {
    const agent = await this.#sessions.current(req);
    if (!agent) throw new AppError('LOGIN_REQUIRED', 'sign in with your city account first');
    return agent;
  }

  async view(req: Request): Promise<AgentView> {
    const agent = await this.agent(req);
    const parsed = roomIdSchema.safeParse(String(req.params.id));
    const room = parsed.success ? await this.#rooms.get(parsed.data) : undefined;
    const ownership = room ? await this.#members.ownership(room.id) : undefined;
    if (!room || !ownership) throw new AppError('ROOM_NOT_FOUND', 'no such room');
    return { agent, room, ownership, relation: relationOf(agent, ownership.members) };
  }

  async owned(req: Request): Promise<AgentView> {
    const view = await this.view(req);
    if (view.relation !== 'owner') throw new AppError('FORBIDDEN', 'only the owners of this room may do this');
    return view;
  }
}
