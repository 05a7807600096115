import type { Role, RoomMode } from '@nomades/shared';
import type { StoredMember } from '../store/RoomMemberStore.js';
import type { SignedInAgent } from './SignedInAgent.js';

/** How a signed-in agent relates to a room (OWN-2), strongest first. */
export type RoomRelation = 'owner' | 'host' | 'member' | 'agent';

const RANK: Record<RoomRelation, number> = { owner: 3, host: 2, member: 1, agent: 0 };

/** Whether a member entry names this agent: an owner by key or email; hosts and members by email or group. */
function names(entry: StoredMember, agent: Pick<SignedInAgent, 'key' | 'email' | 'groups'>): boolean {
  switch (entry.kind) {
    case 'agent':
      return entry.value === agent.key;
    case 'email':
      return agent.email !== null && entry.value === agent.email.toLowerCase();
    case 'group':
      return entry.role !== 'owner' && agent.groups.includes(entry.value);
  }
}

/** OWN-2: the strongest relation the room's entries give the agent; `agent` when none names them. */
export function relationOf(agent: Pick<SignedInAgent, 'key' | 'email' | 'groups'>, members: readonly StoredMember[]): RoomRelation {
  let best: RoomRelation = 'agent';
  for (const entry of members) {
    if (names(entry, agent) && RANK[entry.role] > RANK[best]) best = entry.role;
  }
  return best;
}

/** OWN-2: owners and hosts join as host; members and other agents as participant (attendee in a webinar). */
export function roleOf(relation: RoomRelation, mode: RoomMode): Role {
  if (relation === 'owner' || relation === 'host') return 'host';
  return mode === 'webinar' ? 'attendee' : 'participant';
}

/** OWN-2: members pass the lobby (not the lock); other agents wait where the room has one. */
export function passesLobby(relation: RoomRelation): boolean {
  return relation === 'member';
}
