import { sql, type CreateTableBuilder, type Kysely, type Migration } from 'kysely';

export type Engine = 'sqlite' | 'postgres';

/** Column types that differ between the engines. */
function types(engine: Engine) {
  const pg = engine === 'postgres';
  return {
    /** 64-bit: sizes in bytes, Unix seconds (read back as numbers: see StoreDatabase). */
    big: pg ? ('bigint' as const) : ('integer' as const),
    blob: pg ? ('bytea' as const) : ('blob' as const),
    float: pg ? ('double precision' as const) : ('real' as const),
  };
}

/** An ordering key `seq`: INTEGER PRIMARY KEY AUTOINCREMENT on SQLite (never reused), bigserial on PostgreSQL. */
function withSeq(table: CreateTableBuilder<string, never>, engine: Engine): CreateTableBuilder<string, 'seq'> {
  return engine === 'postgres'
    ? table.addColumn('seq', 'bigserial', (c) => c.primaryKey())
    : table.addColumn('seq', 'integer', (c) => c.primaryKey().autoIncrement());
}

/**
 * The one versioned list of schema changes (Kysely's Migrator, in name order), run at every start
 * on both engines. Never edit a migration that shipped: add one.
 *
 * 001 adopts a nomades.db written before the one store layer: its `rooms` table (PRAGMA
 * user_version 1 to 3 of the old migrations) is kept, and the columns it lacks are added.
 */
export function migrations(engine: Engine): Record<string, Migration> {
  const t = types(engine);
  return {
    '001_rooms': {
      async up(db: Kysely<any>) {
        await db.schema
          .createTable('rooms')
          .ifNotExists()
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('name', 'text', (c) => c.notNull())
          .addColumn('max_participants', 'integer', (c) => c.notNull())
          .addColumn('mode', 'text', (c) => c.notNull().defaultTo('meeting'))
          .addColumn('record', 'integer', (c) => c.notNull().defaultTo(0))
          .addColumn('created_at', 'text', (c) => c.notNull())
          .execute();
        const table = (await db.introspection.getTables()).find((x) => x.name === 'rooms');
        const has = new Set(table?.columns.map((c) => c.name));
        if (!has.has('max_screen_shares')) {
          await db.schema.alterTable('rooms').addColumn('max_screen_shares', 'integer', (c) => c.notNull().defaultTo(1)).execute();
        }
        if (!has.has('recording_viewers')) {
          await db.schema.alterTable('rooms').addColumn('recording_viewers', 'text', (c) => c.notNull().defaultTo('["host"]')).execute();
        }
        if (!has.has('participants_may_invite')) {
          await db.schema.alterTable('rooms').addColumn('participants_may_invite', 'integer', (c) => c.notNull().defaultTo(0)).execute();
        }
      },
    },
    '002_moderation': {
      async up(db: Kysely<any>) {
        await db.schema
          .createTable('room_flags')
          .addColumn('room_id', 'text', (c) => c.primaryKey())
          .addColumn('locked', 'integer', (c) => c.notNull().defaultTo(0))
          .addColumn('lobby_enabled', 'integer', (c) => c.notNull().defaultTo(0))
          .execute();
        await withSeq(db.schema.createTable('bans'), engine)
          .addColumn('room_id', 'text', (c) => c.notNull())
          .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind IN ('identity', 'token')`))
          .addColumn('value', 'text', (c) => c.notNull())
          .addUniqueConstraint('bans_unique', ['room_id', 'kind', 'value'])
          .execute();
        await withSeq(db.schema.createTable('roles'), engine)
          .addColumn('room_id', 'text', (c) => c.notNull())
          .addColumn('identity', 'text', (c) => c.notNull())
          .addColumn('role', 'text', (c) => c.notNull())
          .addUniqueConstraint('roles_unique', ['room_id', 'identity'])
          .execute();
        await withSeq(db.schema.createTable('media_locks'), engine)
          .addColumn('room_id', 'text', (c) => c.notNull())
          .addColumn('identity', 'text', (c) => c.notNull())
          .addColumn('source', 'text', (c) => c.notNull())
          .addUniqueConstraint('media_locks_unique', ['room_id', 'identity', 'source'])
          .execute();
        await withSeq(db.schema.createTable('flagged_addresses'), engine)
          .addColumn('room_id', 'text', (c) => c.notNull())
          .addColumn('address', 'text', (c) => c.notNull())
          .addUniqueConstraint('flagged_addresses_unique', ['room_id', 'address'])
          .execute();
      },
    },
    '003_invites': {
      async up(db: Kysely<any>) {
        await db.schema
          .createTable('invites')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('room_id', 'text', (c) => c.notNull())
          .addColumn('role', 'text', (c) => c.notNull())
          .addColumn('kind', 'text', (c) => c.notNull())
          .addColumn('created_at', t.big, (c) => c.notNull())
          .addColumn('expires_at', t.big, (c) => c.notNull())
          .addColumn('max_uses', 'integer')
          .addColumn('uses', 'integer', (c) => c.notNull().defaultTo(0))
          .addColumn('revoked', 'integer', (c) => c.notNull().defaultTo(0))
          .execute();
        await db.schema.createIndex('invites_room').on('invites').columns(['room_id', 'expires_at']).execute();
      },
    },
    '004_recordings': {
      async up(db: Kysely<any>) {
        await db.schema
          .createTable('recordings')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('room_id', 'text', (c) => c.notNull())
          .addColumn('status', 'text', (c) => c.notNull())
          .addColumn('started_at', 'text', (c) => c.notNull())
          .addColumn('ended_at', 'text')
          .addColumn('duration_ms', t.big, (c) => c.notNull().defaultTo(0))
          .addColumn('size_bytes', t.big, (c) => c.notNull().defaultTo(0))
          .addColumn('progress', t.float, (c) => c.notNull().defaultTo(0))
          .addColumn('error', 'text')
          .addColumn('note', 'text')
          // COMP-7: compositions ahead while it waits for a recorder's slot.
          .addColumn('queue_position', 'integer')
          .execute();
        await db.schema.createIndex('recordings_room').on('recordings').columns(['room_id', 'started_at']).execute();
      },
    },
    '005_collab': {
      async up(db: Kysely<any>) {
        await db.schema
          .createTable('collab_documents')
          .addColumn('name', 'text', (c) => c.primaryKey())
          .addColumn('state', t.blob, (c) => c.notNull())
          .addColumn('updated_at', 'text', (c) => c.notNull())
          .execute();
        await withSeq(db.schema.createTable('collab_updates'), engine)
          .addColumn('name', 'text', (c) => c.notNull())
          .addColumn('data', t.blob, (c) => c.notNull())
          .execute();
        await db.schema.createIndex('collab_updates_name').on('collab_updates').columns(['name', 'seq']).execute();
      },
    },
    '006_recordings_node': {
      async up(db: Kysely<any>) {
        // NODE-REC-1: the node whose recorder (and queue) holds the recording's job; null on one node.
        await db.schema.alterTable('recordings').addColumn('node_id', 'text').execute();
        // A survivor looks up a dead node's unfinished recordings by it.
        await db.schema.createIndex('recordings_node').on('recordings').columns(['node_id', 'status']).execute();
      },
    },
    '007_auth': {
      async up(db: Kysely<any>) {
        // AUTH-2: logins in progress, keyed by a hash of their `state`, bound to a browser.
        await db.schema
          .createTable('auth_logins')
          .addColumn('state_hash', 'text', (c) => c.primaryKey())
          .addColumn('browser_hash', 'text', (c) => c.notNull())
          .addColumn('nonce', 'text', (c) => c.notNull())
          .addColumn('code_verifier', 'text', (c) => c.notNull())
          .addColumn('return_to', 'text', (c) => c.notNull())
          .addColumn('created_at', t.big, (c) => c.notNull())
          .addColumn('expires_at', t.big, (c) => c.notNull())
          .execute();
        await db.schema.createIndex('auth_logins_browser').on('auth_logins').columns(['browser_hash', 'created_at']).execute();
        await db.schema.createIndex('auth_logins_expiry').on('auth_logins').column('expires_at').execute();
        // AUTH-8: the agents' sessions, keyed by a hash of the cookie's id.
        await db.schema
          .createTable('auth_sessions')
          .addColumn('id_hash', 'text', (c) => c.primaryKey())
          .addColumn('agent_key', 'text', (c) => c.notNull())
          .addColumn('name', 'text', (c) => c.notNull())
          .addColumn('email', 'text')
          .addColumn('groups', 'text', (c) => c.notNull())
          .addColumn('preset', 'text', (c) => c.notNull())
          .addColumn('acr', 'text')
          .addColumn('provider_sid', 'text')
          .addColumn('provider_sub', 'text', (c) => c.notNull())
          .addColumn('id_token', 'text', (c) => c.notNull())
          .addColumn('created_at', t.big, (c) => c.notNull())
          .addColumn('last_seen_at', t.big, (c) => c.notNull())
          .addColumn('expires_at', t.big, (c) => c.notNull())
          .execute();
        await db.schema.createIndex('auth_sessions_email').on('auth_sessions').column('email').execute();
        await db.schema.createIndex('auth_sessions_agent').on('auth_sessions').columns(['agent_key', 'created_at']).execute();
        await db.schema.createIndex('auth_sessions_sid').on('auth_sessions').column('provider_sid').execute();
        await db.schema.createIndex('auth_sessions_sub').on('auth_sessions').column('provider_sub').execute();
        await db.schema.createIndex('auth_sessions_expiry').on('auth_sessions').column('expires_at').execute();
        await db.schema.createIndex('auth_sessions_seen').on('auth_sessions').column('last_seen_at').execute();
        // AUTH-12: the `jti` of back-channel logout tokens already used, until they are too old anyway.
        await db.schema
          .createTable('auth_logout_jtis')
          .addColumn('jti_hash', 'text', (c) => c.primaryKey())
          .addColumn('expires_at', t.big, (c) => c.notNull())
          .execute();
        await db.schema.createIndex('auth_logout_jtis_expiry').on('auth_logout_jtis').column('expires_at').execute();
      },
    },
    '008_room_owners': {
      async up(db: Kysely<any>) {
        // OWN-1/5: the agent who made the room (null: the admin API), and whether it takes guests (null: GUEST_ACCESS).
        await db.schema.alterTable('rooms').addColumn('created_by', 'text').execute();
        await db.schema.alterTable('rooms').addColumn('guests_allowed', 'integer').execute();
        // OWN-2/3: owners (an agent's key or an email), hosts and members (an email or a group).
        await withSeq(db.schema.createTable('room_members'), engine)
          .addColumn('room_id', 'text', (c) => c.notNull())
          .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind IN ('agent', 'email', 'group')`))
          .addColumn('value', 'text', (c) => c.notNull())
          .addColumn('role', 'text', (c) => c.notNull().check(sql`role IN ('owner', 'host', 'member')`))
          .addUniqueConstraint('room_members_unique', ['room_id', 'kind', 'value'])
          .execute();
        // OWN-4: "Mes salles" looks rooms up by the agent's key, email and groups.
        await db.schema.createIndex('room_members_value').on('room_members').columns(['kind', 'value']).execute();
      },
    },
    '009_polls': {
      async up(db: Kysely<any>) {
        // POLL-9: a room's polls, each identity's ballot (one per poll: POLL-3), its questions and upvotes.
        await db.schema
          .createTable('polls')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('room_id', 'text', (c) => c.notNull())
          .addColumn('question', 'text', (c) => c.notNull())
          .addColumn('kind', 'text', (c) => c.notNull())
          .addColumn('options', 'text', (c) => c.notNull())
          .addColumn('anonymous', 'integer', (c) => c.notNull())
          .addColumn('results', 'text', (c) => c.notNull())
          .addColumn('status', 'text', (c) => c.notNull())
          .addColumn('created_at', t.big, (c) => c.notNull())
          .execute();
        await db.schema.createIndex('polls_room').on('polls').columns(['room_id', 'created_at']).execute();
        await db.schema
          .createTable('poll_ballots')
          .addColumn('poll_id', 'text', (c) => c.notNull())
          .addColumn('room_id', 'text', (c) => c.notNull())
          .addColumn('voter', 'text', (c) => c.notNull())
          .addColumn('name', 'text')
          .addColumn('choices', 'text', (c) => c.notNull())
          .addColumn('voted_at', t.big, (c) => c.notNull())
          .addPrimaryKeyConstraint('poll_ballots_pk', ['poll_id', 'voter'])
          .execute();
        await db.schema.createIndex('poll_ballots_room').on('poll_ballots').column('room_id').execute();
        await db.schema
          .createTable('questions')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('room_id', 'text', (c) => c.notNull())
          .addColumn('author_identity', 'text', (c) => c.notNull())
          .addColumn('author_name', 'text', (c) => c.notNull())
          .addColumn('text', 'text', (c) => c.notNull())
          .addColumn('status', 'text', (c) => c.notNull())
          .addColumn('created_at', t.big, (c) => c.notNull())
          .execute();
        await db.schema.createIndex('questions_room').on('questions').columns(['room_id', 'created_at']).execute();
        await db.schema
          .createTable('question_upvotes')
          .addColumn('question_id', 'text', (c) => c.notNull())
          .addColumn('room_id', 'text', (c) => c.notNull())
          .addColumn('identity', 'text', (c) => c.notNull())
          .addPrimaryKeyConstraint('question_upvotes_pk', ['question_id', 'identity'])
          .execute();
        await db.schema.createIndex('question_upvotes_room').on('question_upvotes').column('room_id').execute();
      },
    },
  };
}
