import type { Kysely, Selectable } from 'kysely';
import type { OidcPreset } from '@nomades/shared';
import type { AgentSessionRow, AuthStore, PendingLogin, SessionMatch } from './AuthStore.js';
import type { AuthSessionsTable, Tables } from './Tables.js';

const toSession = (r: Selectable<AuthSessionsTable>): AgentSessionRow => ({
  idHash: r.id_hash,
  agentKey: r.agent_key,
  name: r.name,
  email: r.email,
  groups: parseGroups(r.groups),
  preset: r.preset as OidcPreset,
  acr: r.acr,
  providerSid: r.provider_sid,
  providerSub: r.provider_sub,
  idToken: r.id_token,
  createdAt: r.created_at,
  lastSeenAt: r.last_seen_at,
  expiresAt: r.expires_at,
});

function parseGroups(text: string): string[] {
  try {
    const value: unknown = JSON.parse(text);
    return Array.isArray(value) ? value.filter((g): g is string => typeof g === 'string') : [];
  } catch {
    return [];
  }
}

/** The `auth_logins`, `auth_sessions` and `auth_logout_jtis` tables (StoreDatabase). */
export class KyselyAuthStore implements AuthStore {
  readonly #db: Kysely<Tables>;

  constructor(db: Kysely<Tables>) {
    this.#db = db;
  }

  async addLogin(login: PendingLogin, maxPerBrowser: number): Promise<void> {
    await this.#db.transaction().execute(async (trx) => {
      await trx
        .insertInto('auth_logins')
        .values({
          state_hash: login.stateHash,
          browser_hash: login.browserHash,
          nonce: login.nonce,
          code_verifier: login.codeVerifier,
          return_to: login.returnTo,
          created_at: login.createdAt,
          expires_at: login.expiresAt,
        })
        .execute();
      const keep = trx
        .selectFrom('auth_logins')
        .select('state_hash')
        .where('browser_hash', '=', login.browserHash)
        .orderBy('created_at', 'desc')
        .orderBy('state_hash')
        .limit(maxPerBrowser);
      await trx.deleteFrom('auth_logins').where('browser_hash', '=', login.browserHash).where('state_hash', 'not in', keep).execute();
    });
  }

  async takeLogin(stateHash: string, now: number): Promise<PendingLogin | undefined> {
    // One DELETE … RETURNING: two callbacks with the same state cannot both take it.
    const row = await this.#db.deleteFrom('auth_logins').where('state_hash', '=', stateHash).returningAll().executeTakeFirst();
    if (!row || row.expires_at <= now) return undefined;
    return {
      stateHash: row.state_hash,
      browserHash: row.browser_hash,
      nonce: row.nonce,
      codeVerifier: row.code_verifier,
      returnTo: row.return_to,
      createdAt: row.created_at,
      expiresAt: row.expires_at,
    };
  }

  async addSession(s: AgentSessionRow, maxPerAgent: number): Promise<string[]> {
    return this.#db.transaction().execute(async (trx) => {
      await trx
        .insertInto('auth_sessions')
        .values({
          id_hash: s.idHash,
          agent_key: s.agentKey,
          name: s.name,
          email: s.email,
          groups: JSON.stringify(s.groups),
          preset: s.preset,
          acr: s.acr,
          provider_sid: s.providerSid,
          provider_sub: s.providerSub,
          id_token: s.idToken,
          created_at: s.createdAt,
          last_seen_at: s.lastSeenAt,
          expires_at: s.expiresAt,
        })
        .execute();
      const keep = trx
        .selectFrom('auth_sessions')
        .select('id_hash')
        .where('agent_key', '=', s.agentKey)
        .orderBy('created_at', 'desc')
        .orderBy('id_hash')
        .limit(maxPerAgent);
      const dropped = await trx.deleteFrom('auth_sessions').where('agent_key', '=', s.agentKey).where('id_hash', 'not in', keep).returning('id_hash').execute();
      return dropped.map((r) => r.id_hash);
    });
  }

  async getSession(idHash: string): Promise<AgentSessionRow | undefined> {
    const row = await this.#db.selectFrom('auth_sessions').selectAll().where('id_hash', '=', idHash).executeTakeFirst();
    return row ? toSession(row) : undefined;
  }

  async touchSession(idHash: string, at: number): Promise<void> {
    await this.#db.updateTable('auth_sessions').set({ last_seen_at: at }).where('id_hash', '=', idHash).execute();
  }

  async deleteSessions(match: SessionMatch): Promise<string[]> {
    let query = this.#db.deleteFrom('auth_sessions');
    if ('idHash' in match) query = query.where('id_hash', '=', match.idHash);
    else if ('email' in match) query = query.where('email', '=', match.email);
    else if ('providerSid' in match) query = query.where('provider_sid', '=', match.providerSid);
    else query = query.where('provider_sub', '=', match.providerSub);
    const rows = await query.returning('id_hash').execute();
    return rows.map((r) => r.id_hash);
  }

  async rememberJti(jtiHash: string, expiresAt: number): Promise<boolean> {
    // ON CONFLICT DO NOTHING … RETURNING: a row back only when this call inserted it (atomic on both engines).
    const rows = await this.#db
      .insertInto('auth_logout_jtis')
      .values({ jti_hash: jtiHash, expires_at: expiresAt })
      .onConflict((oc) => oc.column('jti_hash').doNothing())
      .returning('jti_hash')
      .execute();
    return rows.length === 1;
  }

  async sweep(now: number, idleMs: number, limit: number): Promise<number> {
    const logins = this.#db.selectFrom('auth_logins').select('state_hash').where('expires_at', '<=', now).limit(limit);
    const sessions = this.#db
      .selectFrom('auth_sessions')
      .select('id_hash')
      .where((eb) => eb.or([eb('expires_at', '<=', now), eb('last_seen_at', '<=', now - idleMs)]))
      .limit(limit);
    const jtis = this.#db.selectFrom('auth_logout_jtis').select('jti_hash').where('expires_at', '<=', now).limit(limit);
    const a = await this.#db.deleteFrom('auth_logins').where('state_hash', 'in', logins).executeTakeFirst();
    const b = await this.#db.deleteFrom('auth_sessions').where('id_hash', 'in', sessions).executeTakeFirst();
    const c = await this.#db.deleteFrom('auth_logout_jtis').where('jti_hash', 'in', jtis).executeTakeFirst();
    return Number(a.numDeletedRows) + Number(b.numDeletedRows) + Number(c.numDeletedRows);
  }
}
