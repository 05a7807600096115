import type { Kysely } from 'kysely';
import { moderatedSourceSchema, roleSchema } from '@nomades/shared';
import {
  MODERATION_STORE_LIMITS,
  type BanKind,
  type ModerationStore,
  type ModerationStoreLimits,
  type PersistedModeration,
} from './ModerationStore.js';
import type { Tables } from './Tables.js';

/**
 * Moderation state in the room_flags, bans, roles, media_locks and flagged_addresses tables
 * (StoreDatabase). Every list is ordered by `seq`, its first insertion: the caps forget the lowest.
 */
export class KyselyModerationStore implements ModerationStore {
  readonly #db: Kysely<Tables>;
  readonly #limits: ModerationStoreLimits;

  constructor(db: Kysely<Tables>, limits: ModerationStoreLimits = MODERATION_STORE_LIMITS) {
    this.#db = db;
    this.#limits = limits;
  }

  async load(roomId: string): Promise<PersistedModeration> {
    // One transaction: a consistent picture of the room, on PostgreSQL too.
    const { flags, bans, roles, locks, addresses } = await this.#db.transaction().execute(async (trx) => ({
      flags: await trx.selectFrom('room_flags').select(['locked', 'lobby_enabled']).where('room_id', '=', roomId).executeTakeFirst(),
      bans: await trx.selectFrom('bans').select(['kind', 'value']).where('room_id', '=', roomId).orderBy('seq').execute(),
      roles: await trx.selectFrom('roles').select(['identity', 'role']).where('room_id', '=', roomId).orderBy('seq').execute(),
      locks: await trx.selectFrom('media_locks').select(['identity', 'source']).where('room_id', '=', roomId).orderBy('seq').execute(),
      addresses: await trx.selectFrom('flagged_addresses').select('address').where('room_id', '=', roomId).orderBy('seq').execute(),
    }));
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

  async setFlags(roomId: string, flags: { locked: boolean; lobbyEnabled: boolean }): Promise<void> {
    if (!flags.locked && !flags.lobbyEnabled) {
      await this.#db.deleteFrom('room_flags').where('room_id', '=', roomId).execute();
      return;
    }
    const row = { room_id: roomId, locked: flags.locked ? 1 : 0, lobby_enabled: flags.lobbyEnabled ? 1 : 0 };
    await this.#db
      .insertInto('room_flags')
      .values(row)
      .onConflict((oc) => oc.column('room_id').doUpdateSet({ locked: row.locked, lobby_enabled: row.lobby_enabled }))
      .execute();
  }

  async addBan(roomId: string, kind: BanKind, value: string): Promise<void> {
    await this.#db.transaction().execute(async (trx) => {
      await trx.insertInto('bans').values({ room_id: roomId, kind, value }).onConflict((oc) => oc.doNothing()).execute();
      const kept = trx.selectFrom('bans').select('seq').where('room_id', '=', roomId).where('kind', '=', kind).orderBy('seq', 'desc').limit(this.#limits.bansPerKind);
      await trx.deleteFrom('bans').where('room_id', '=', roomId).where('kind', '=', kind).where('seq', 'not in', kept).execute();
    });
  }

  async setRole(roomId: string, identity: string, role: string): Promise<void> {
    await this.#db.transaction().execute(async (trx) => {
      await trx
        .insertInto('roles')
        .values({ room_id: roomId, identity, role })
        .onConflict((oc) => oc.columns(['room_id', 'identity']).doUpdateSet({ role }))
        .execute();
      const kept = trx.selectFrom('roles').select('seq').where('room_id', '=', roomId).orderBy('seq', 'desc').limit(this.#limits.roles);
      await trx.deleteFrom('roles').where('room_id', '=', roomId).where('seq', 'not in', kept).execute();
    });
  }

  async setMediaLock(roomId: string, identity: string, source: string, locked: boolean): Promise<void> {
    if (!locked) {
      await this.#db.deleteFrom('media_locks').where('room_id', '=', roomId).where('identity', '=', identity).where('source', '=', source).execute();
      return;
    }
    await this.#db.transaction().execute(async (trx) => {
      await trx.insertInto('media_locks').values({ room_id: roomId, identity, source }).onConflict((oc) => oc.doNothing()).execute();
      // The cap counts identities, ordered by their first lock (as RoomControls' map).
      const kept = trx
        .selectFrom('media_locks')
        .select('identity')
        .where('room_id', '=', roomId)
        .groupBy('identity')
        .orderBy((eb) => eb.fn.min('seq'), 'desc')
        .limit(this.#limits.mediaLockedIdentities);
      await trx.deleteFrom('media_locks').where('room_id', '=', roomId).where('identity', 'not in', kept).execute();
    });
  }

  async flagAddress(roomId: string, address: string): Promise<void> {
    await this.#db.transaction().execute(async (trx) => {
      await trx.insertInto('flagged_addresses').values({ room_id: roomId, address }).onConflict((oc) => oc.doNothing()).execute();
      const kept = trx.selectFrom('flagged_addresses').select('seq').where('room_id', '=', roomId).orderBy('seq', 'desc').limit(this.#limits.flaggedAddresses);
      await trx.deleteFrom('flagged_addresses').where('room_id', '=', roomId).where('seq', 'not in', kept).execute();
    });
  }
}
