import type Database from 'better-sqlite3';
import type { Role } from '@nomades/shared';
import { openDatabase } from '../store/openDatabase.js';

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

interface Row {
  id: string;
  room_id: string;
  role: Role;
  kind: InviteKind;
  created_at: number;
  expires_at: number;
  max_uses: number | null;
  uses: number;
  revoked: number;
}

const toInvite = (r: Row): InviteRow => ({
  id: r.id,
  roomId: r.room_id,
  role: r.role,
  kind: r.kind,
  createdAt: r.created_at,
  expiresAt: r.expires_at,
  maxUses: r.max_uses,
  uses: r.uses,
  revoked: r.revoked === 1,
});

const MIGRATIONS = [
  `CREATE TABLE invites (
     id TEXT PRIMARY KEY,
     room_id TEXT NOT NULL,
     role TEXT NOT NULL,
     kind TEXT NOT NULL,
     created_at INTEGER NOT NULL,
     expires_at INTEGER NOT NULL,
     max_uses INTEGER,
     uses INTEGER NOT NULL DEFAULT 0,
     revoked INTEGER NOT NULL DEFAULT 0
   );
   CREATE INDEX invites_room ON invites (room_id, expires_at)`,
];

/** Expired invitations are forgotten this long after their expiry (they answer TOKEN_EXPIRED by their own signature anyway). */
const FORGET_AFTER_S = 30 * 24 * 3600;

/**
 * Invitations in DATA_DIR/invites.db (better-sqlite3, WAL): what the signed invitation points at
 * (its `jti`), with its uses and whether it was revoked.
 */
export class InviteStore {
  readonly #db: Database.Database;

  constructor(dataDir: string) {
    this.#db = openDatabase(dataDir, 'invites.db', MIGRATIONS);
  }

  insert(invite: Omit<InviteRow, 'uses' | 'revoked'>): InviteRow {
    this.#db.prepare('DELETE FROM invites WHERE expires_at < ?').run(invite.createdAt - FORGET_AFTER_S);
    this.#db
      .prepare(
        `INSERT INTO invites (id, room_id, role, kind, created_at, expires_at, max_uses)
         VALUES (@id, @roomId, @role, @kind, @createdAt, @expiresAt, @maxUses)`,
      )
      .run(invite);
    return { ...invite, uses: 0, revoked: false };
  }

  get(id: string): InviteRow | undefined {
    const row = this.#db.prepare('SELECT * FROM invites WHERE id = ?').get(id) as Row | undefined;
    return row ? toInvite(row) : undefined;
  }

  listByRoom(roomId: string): InviteRow[] {
    return (this.#db.prepare('SELECT * FROM invites WHERE room_id = ? ORDER BY created_at DESC, id').all(roomId) as Row[]).map(toInvite);
  }

  /** Invitations of a room made with the admin API that can still be used at `now`. */
  countLive(roomId: string, now: number): number {
    const row = this.#db
      .prepare(
        `SELECT COUNT(*) AS n FROM invites WHERE room_id = ? AND kind = 'admin' AND revoked = 0 AND expires_at > ?
         AND (max_uses IS NULL OR uses < max_uses)`,
      )
      .get(roomId, now) as { n: number };
    return row.n;
  }

  /** The room's reusable meeting invitation still valid until `until`, if any (INV-7). */
  meetingInvite(roomId: string, until: number): InviteRow | undefined {
    const row = this.#db
      .prepare(
        `SELECT * FROM invites WHERE room_id = ? AND kind = 'meeting' AND revoked = 0 AND expires_at > ?
         AND max_uses IS NULL ORDER BY expires_at DESC LIMIT 1`,
      )
      .get(roomId, until) as Row | undefined;
    return row ? toInvite(row) : undefined;
  }

  /** Revokes one invitation of the room; false when there is no such invitation in that room. */
  revoke(roomId: string, id: string): boolean {
    return this.#db.prepare('UPDATE invites SET revoked = 1 WHERE id = ? AND room_id = ?').run(id, roomId).changes === 1;
  }

  /** Counts one use, atomically, if the invitation is usable at `now` (INV-5); false otherwise. */
  takeUse(id: string, now: number): boolean {
    return (
      this.#db
        .prepare('UPDATE invites SET uses = uses + 1 WHERE id = ? AND revoked = 0 AND expires_at > ? AND (max_uses IS NULL OR uses < max_uses)')
        .run(id, now).changes === 1
    );
  }

  /** Forgets every invitation of a room (ROOM-7: the room was deleted); how many. */
  deleteRoom(roomId: string): number {
    return this.#db.prepare('DELETE FROM invites WHERE room_id = ?').run(roomId).changes;
  }

  close(): void {
    if (this.#db.open) this.#db.close();
  }
}
