import type Database from 'better-sqlite3';
import { moderatedSourceSchema, roleSchema } from '@nomades/shared';
import {
  MODERATION_STORE_LIMITS,
  type BanKind,
  type ModerationStore,
  type ModerationStoreLimits,
  type PersistedModeration,
} from './ModerationStore.js';
import { openDatabase } from './openDatabase.js';

/**
 * Schema migrations, applied in order; PRAGMA user_version of moderation.db records how many ran.
 * `seq` orders each list by first insertion: the caps forget the lowest.
 */
const MIGRATIONS = [
  `CREATE TABLE room_flags (
     room_id TEXT PRIMARY KEY,
     locked INTEGER NOT NULL DEFAULT 0,
     lobby_enabled INTEGER NOT NULL DEFAULT 0
   );
   CREATE TABLE bans (
     seq INTEGER PRIMARY KEY AUTOINCREMENT,
     room_id TEXT NOT NULL,
     kind TEXT NOT NULL CHECK (kind IN ('identity', 'token')),
     value TEXT NOT NULL,
     UNIQUE (room_id, kind, value)
   );
   CREATE TABLE roles (
     seq INTEGER PRIMARY KEY AUTOINCREMENT,
     room_id TEXT NOT NULL,
     identity TEXT NOT NULL,
     role TEXT NOT NULL,
     UNIQUE (room_id, identity)
   );
   CREATE TABLE media_locks (
     seq INTEGER PRIMARY KEY AUTOINCREMENT,
     room_id TEXT NOT NULL,
     identity TEXT NOT NULL,
     source TEXT NOT NULL,
     UNIQUE (room_id, identity, source)
   );
   CREATE TABLE flagged_addresses (
     seq INTEGER PRIMARY KEY AUTOINCREMENT,
     room_id TEXT NOT NULL,
     address TEXT NOT NULL,
     UNIQUE (room_id, address)
   )`,
];

const TABLES = ['room_flags', 'bans', 'roles', 'media_locks', 'flagged_addresses'] as const;

/** Moderation state in DATA_DIR/moderation.db (better-sqlite3, WAL), beside the rooms' database. */
export class SqliteModerationStore implements ModerationStore {
  readonly #db: Database.Database;
  readonly #limits: ModerationStoreLimits;

  constructor(dataDir: string, limits: ModerationStoreLimits = MODERATION_STORE_LIMITS) {
    this.#db = openDatabase(dataDir, 'moderation.db', MIGRATIONS);
    this.#limits = limits;
  }

  load(roomId: string): PersistedModeration {
    const db = this.#db;
    const flags = db.prepare('SELECT locked, lobby_enabled FROM room_flags WHERE room_id = ?').get(roomId) as
      | { locked: number; lobby_enabled: number }
      | undefined;
    const bans = db.prepare('SELECT kind, value FROM bans WHERE room_id = ? ORDER BY seq').all(roomId) as Array<{ kind: BanKind; value: string }>;
    const roles = db.prepare('SELECT identity, role FROM roles WHERE room_id = ? ORDER BY seq').all(roomId) as Array<{ identity: string; role: string }>;
    const locks = db.prepare('SELECT identity, source FROM media_locks WHERE room_id = ? ORDER BY seq').all(roomId) as Array<{ identity: string; source: string }>;
    const addresses = db.prepare('SELECT address FROM flagged_addresses WHERE room_id = ? ORDER BY seq').all(roomId) as Array<{ address: string }>;
    return {
      locked: flags?.locked === 1,
      lobbyEnabled: flags?.lobby_enabled === 1,
      bannedIdentities: bans.filter((b) => b.kind === 'identity').map((b) => b.value),
      bannedTokens: bans.filter((b) => b.kind === 'token').map((b) => b.value),
      // A value this version does not know (a newer schema's) is skipped, not trusted.
      roles: roles.flatMap((r) => {
        const role = roleSchema.safeParse(r.role);
        return role.success ? [[r.identity, role.data] as [string, typeof role.data]] : [];
      }),
      mediaLocks: locks.flatMap((l) => {
        const source = moderatedSourceSchema.safeParse(l.source);
        return source.success ? [[l.identity, source.data] as [string, typeof source.data]] : [];
      }),
      flaggedAddresses: addresses.map((a) => a.address),
    };
  }

  setFlags(roomId: string, flags: { locked: boolean; lobbyEnabled: boolean }): void {
    if (!flags.locked && !flags.lobbyEnabled) {
      this.#db.prepare('DELETE FROM room_flags WHERE room_id = ?').run(roomId);
      return;
    }
    this.#db
      .prepare(
        `INSERT INTO room_flags (room_id, locked, lobby_enabled) VALUES (?, ?, ?)
         ON CONFLICT (room_id) DO UPDATE SET locked = excluded.locked, lobby_enabled = excluded.lobby_enabled`,
      )
      .run(roomId, flags.locked ? 1 : 0, flags.lobbyEnabled ? 1 : 0);
  }

  addBan(roomId: string, kind: BanKind, value: string): void {
    this.#db.transaction(() => {
      this.#db.prepare('INSERT OR IGNORE INTO bans (room_id, kind, value) VALUES (?, ?, ?)').run(roomId, kind, value);
      this.#db
        .prepare(
          `DELETE FROM bans WHERE room_id = ? AND kind = ? AND seq NOT IN
             (SELECT seq FROM bans WHERE room_id = ? AND kind = ? ORDER BY seq DESC LIMIT ?)`,
        )
        .run(roomId, kind, roomId, kind, this.#limits.bansPerKind);
    })();
  }

  setRole(roomId: string, identity: string, role: string): void {
    this.#db.transaction(() => {
      this.#db
        .prepare(
          `INSERT INTO roles (room_id, identity, role) VALUES (?, ?, ?)
           ON CONFLICT (room_id, identity) DO UPDATE SET role = excluded.role`,
        )
        .run(roomId, identity, role);
      this.#db
        .prepare('DELETE FROM roles WHERE room_id = ? AND seq NOT IN (SELECT seq FROM roles WHERE room_id = ? ORDER BY seq DESC LIMIT ?)')
        .run(roomId, roomId, this.#limits.roles);
    })();
  }

  setMediaLock(roomId: string, identity: string, source: string, locked: boolean): void {
    if (!locked) {
      this.#db.prepare('DELETE FROM media_locks WHERE room_id = ? AND identity = ? AND source = ?').run(roomId, identity, source);
      return;
    }
    this.#db.transaction(() => {
      this.#db.prepare('INSERT OR IGNORE INTO media_locks (room_id, identity, source) VALUES (?, ?, ?)').run(roomId, identity, source);
      // The cap counts identities, ordered by their first lock (as RoomControls' map).
      this.#db
        .prepare(
          `DELETE FROM media_locks WHERE room_id = ? AND identity NOT IN
             (SELECT identity FROM media_locks WHERE room_id = ? GROUP BY identity ORDER BY MIN(seq) DESC LIMIT ?)`,
        )
        .run(roomId, roomId, this.#limits.mediaLockedIdentities);
    })();
  }

  flagAddress(roomId: string, address: string): void {
    this.#db.transaction(() => {
      this.#db.prepare('INSERT OR IGNORE INTO flagged_addresses (room_id, address) VALUES (?, ?)').run(roomId, address);
      this.#db
        .prepare(
          `DELETE FROM flagged_addresses WHERE room_id = ? AND seq NOT IN
             (SELECT seq FROM flagged_addresses WHERE room_id = ? ORDER BY seq DESC LIMIT ?)`,
        )
        .run(roomId, roomId, this.#limits.flaggedAddresses);
    })();
  }

  forgetRoom(roomId: string): void {
    this.#db.transaction(() => {
      for (const table of TABLES) this.#db.prepare(`DELETE FROM ${table} WHERE room_id = ?`).run(roomId);
    })();
  }

  close(): void {
    if (this.#db.open) this.#db.close();
  }
}
