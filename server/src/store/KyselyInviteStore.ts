import type { Kysely, Selectable } from 'kysely';
import type { Role } from '@nomades/shared';
import type { InviteKind, InviteRow, InviteStore } from './InviteStore.js';
import type { InvitesTable, Tables } from './Tables.js';

const toInvite = (r: Selectable<InvitesTable>): InviteRow => ({
  id: r.id,
  roomId: r.room_id,
  role: r.role as Role,
  kind: r.kind as InviteKind,
  createdAt: r.created_at,
  expiresAt: r.expires_at,
  maxUses: r.max_uses,
  uses: r.uses,
  revoked: r.revoked === 1,
});

/** Expired invitations are forgotten this long after their expiry (they answer TOKEN_EXPIRED by their own signature anyway). */
const FORGET_AFTER_S = 30 * 24 * 3600;

/** Invitations in the `invites` table (StoreDatabase). */
export class KyselyInviteStore implements InviteStore {
  readonly #db: Kysely<Tables>;

  constructor(db: Kysely<Tables>) {
    this.#db = db;
  }

  async insert(invite: Omit<InviteRow, 'uses' | 'revoked'>): Promise<InviteRow> {
    await this.#db.deleteFrom('invites').where('expires_at', '<', invite.createdAt - FORGET_AFTER_S).execute();
    await this.#db
      .insertInto('invites')
      .values({
        id: invite.id,
        room_id: invite.roomId,
        role: invite.role,
        kind: invite.kind,
        created_at: invite.createdAt,
        expires_at: invite.expiresAt,
        max_uses: invite.maxUses,
      })
      .execute();
    return { ...invite, uses: 0, revoked: false };
  }

  async get(id: string): Promise<InviteRow | undefined> {
    const row = await this.#db.selectFrom('invites').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? toInvite(row) : undefined;
  }

  async listByRoom(roomId: string): Promise<InviteRow[]> {
    const rows = await this.#db.selectFrom('invites').selectAll().where('room_id', '=', roomId).orderBy('created_at', 'desc').orderBy('id').execute();
    return rows.map(toInvite);
  }

  async countLive(roomId: string, now: number): Promise<number> {
    const row = await this.#db
      .selectFrom('invites')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('room_id', '=', roomId)
      .where('kind', '=', 'admin')
      .where('revoked', '=', 0)
      .where('expires_at', '>', now)
      .where((eb) => eb.or([eb('max_uses', 'is', null), eb('uses', '<', eb.ref('max_uses'))]))
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  async meetingInvite(roomId: string, until: number): Promise<InviteRow | undefined> {
    const row = await this.#db
      .selectFrom('invites')
      .selectAll()
      .where('room_id', '=', roomId)
      .where('kind', '=', 'meeting')
      .where('revoked', '=', 0)
      .where('expires_at', '>', until)
      .where('max_uses', 'is', null)
      .orderBy('expires_at', 'desc')
      .limit(1)
      .executeTakeFirst();
    return row ? toInvite(row) : undefined;
  }

  async revoke(roomId: string, id: string): Promise<boolean> {
    const result = await this.#db.updateTable('invites').set({ revoked: 1 }).where('id', '=', id).where('room_id', '=', roomId).executeTakeFirst();
    return result.numUpdatedRows === 1n;
  }

  async takeUse(id: string, now: number): Promise<boolean> {
    // One UPDATE with the conditions: atomic on both engines, two last uses cannot both pass.
    const result = await this.#db
      .updateTable('invites')
      .set((eb) => ({ uses: eb('uses', '+', 1) }))
      .where('id', '=', id)
      .where('revoked', '=', 0)
      .where('expires_at', '>', now)
      .where((eb) => eb.or([eb('max_uses', 'is', null), eb('uses', '<', eb.ref('max_uses'))]))
      .executeTakeFirst();
    return result.numUpdatedRows === 1n;
  }
}
