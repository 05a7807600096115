import type { RoomInfo } from '@nomades/shared';
import type { NewRoom } from './RoomStore.js';

export type MemberKind = 'agent' | 'email' | 'group';
export type MemberRole = 'owner' | 'host' | 'member';

/** One entry of a room's members (OWN-2): an owner by agent key or email, a host or member by email or group. */
export interface StoredMember {
  kind: MemberKind;
  value: string;
  role: MemberRole;
}

/** Who made a room, whether it takes guests, and its members (OWN-1…5). */
export interface RoomOwnership {
  roomId: string;
  /** The key of the agent who made it; null for a room made with the admin API. */
  createdBy: string | null;
  /** null: the service's rule (GUEST_ACCESS). */
  guestsAllowed: boolean | null;
  members: StoredMember[];
}

/** A signed-in agent as the store matches them against members (email lower-cased). */
export interface MemberLookup {
  key: string;
  email: string | null;
  groups: readonly string[];
}

/**
 * The rooms agents run (KyselyRoomMemberStore): their owners, hosts and members. A deleted room's
 * entries go with Store.deleteRoomRows (ROOM-7).
 */
export interface RoomMemberStore {
  /** OWN-1: the room and its owners in one transaction; undefined when the id is taken. */
  createAgentRoom(room: NewRoom & { createdBy: string }, owners: readonly StoredMember[]): Promise<RoomInfo | undefined>;
  /** Undefined when there is no such room. */
  ownership(roomId: string): Promise<RoomOwnership | undefined>;
  /**
   * OWN-3: replaces the room's entries by email and group (agent entries stay) and its guest rule,
   * in one transaction; false when there is no such room.
   */
  saveSettings(roomId: string, settings: { members: readonly StoredMember[]; guestsAllowed: boolean }): Promise<boolean>;
  /** OWN-4: the rooms where `who` has an entry, with the roles of its entries there. */
  roomsOf(who: MemberLookup): Promise<Array<{ room: RoomInfo; roles: MemberRole[] }>>;
  /** OWN-8: the ids of the rooms `email` owns. */
  roomsOwnedBy(email: string): Promise<string[]>;
  /** Rooms an agent made (AUTH_LIMITS.maxOwnedRooms). */
  countCreatedBy(key: string): Promise<number>;
  /** OWN-8: `email` becomes the room's only owner; false when there is no such room. */
  handOver(roomId: string, email: string): Promise<boolean>;
}
