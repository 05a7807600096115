import type { Role } from '@nomades/shared';

export type InviteKind = 'admin' | 'meeting';

/** One invitation (INV-n in docs/spec/sharing.md). Times in Unix seconds. */
export interface InviteRow {
  id: string;
  roomId: string;
  role: Role;
  kind: InviteKind;
  createdAt: number;
  expiresAt: number;
  maxUses: number | null;
  uses: number;
  revoked: boolean;
}

/**
 * Invitations (KyselyInviteStore): what the signed invitation points at (its `jti`), with its
 * uses and whether it was revoked. A deleted room's go with Store.deleteRoomRows (ROOM-7).
 */
export interface InviteStore {
  insert(invite: Omit<InviteRow, 'uses' | 'revoked'>): Promise<InviteRow>;
  get(id: string): Promise<InviteRow | undefined>;
  listByRoom(roomId: string): Promise<InviteRow[]>;
  /** Invitations of a room made with the admin API that can still be used at `now`. */
  countLive(roomId: string, now: number): Promise<number>;
  /** The room's reusable meeting invitation still valid until `until`, if any (INV-7). */
  meetingInvite(roomId: string, until: number): Promise<InviteRow | undefined>;
  /** Revokes one invitation of the room; false when there is no such invitation in that room. */
  revoke(roomId: string, id: string): Promise<boolean>;
  /** Counts one use, atomically, if the invitation is usable at `now` (INV-5); false otherwise. */
  takeUse(id: string, now: number): Promise<boolean>;
}
