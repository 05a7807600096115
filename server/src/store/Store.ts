import { collabDocumentName } from '@nomades/shared';
import type { AuthStore } from './AuthStore.js';
import type { DocumentStore } from './DocumentStore.js';
import { deleteDocument, KyselyDocumentStore } from './KyselyDocumentStore.js';
import type { InviteStore } from './InviteStore.js';
import { KyselyAuthStore } from './KyselyAuthStore.js';
import { KyselyInviteStore } from './KyselyInviteStore.js';
import { KyselyModerationStore } from './KyselyModerationStore.js';
import { KyselyRecordingStore } from './KyselyRecordingStore.js';
import { KyselyRoomMemberStore } from './KyselyRoomMemberStore.js';
import { KyselyRoomStore } from './KyselyRoomStore.js';
import type { ModerationStore } from './ModerationStore.js';
import { KyselyPollStore } from './KyselyPollStore.js';
import type { PollStore } from './PollStore.js';
import type { RecordingStore } from './RecordingStore.js';
import type { RoomMemberStore } from './RoomMemberStore.js';
import type { RoomStore } from './RoomStore.js';
import { StoreDatabase, type StoreDatabaseOptions } from './StoreDatabase.js';

/** The moderation tables: everything of a room goes with it (ROOM-7). */
const MODERATION_TABLES = ['room_flags', 'bans', 'roles', 'media_locks', 'flagged_addresses'] as const;
/** The rooms agents run: owners and members go with the room too (OWN-n). */
const MEMBER_TABLES = ['room_members'] as const;
/** Polls and questions go with the room (POLL-9). */
const POLL_TABLES = ['polls', 'poll_ballots', 'questions', 'question_upvotes'] as const;

/** What one deletion of a room's rows removed. */
export interface DeletedRoomRows {
  room: boolean;
  invitations: number;
  recordings: number;
}

/**
 * The durable state of the server, one database (StoreDatabase: SQLite under DATA_DIR, or
 * PostgreSQL with DATABASE_URL) behind one store per kind of row. The rest of the server sees
 * these interfaces only, never the engine.
 */
export class Store {
  readonly rooms: RoomStore;
  readonly moderation: ModerationStore;
  readonly invites: InviteStore;
  readonly recordings: RecordingStore;
  readonly documents: DocumentStore;
  /** Owners and members of the rooms agents run (OWN-n). */
  readonly members: RoomMemberStore;
  /** Logins in progress, agents' sessions, used logout tokens (AUTH-2, AUTH-8, AUTH-12). */
  readonly auth: AuthStore;
  /** Polls and questions of the rooms (POLL-9, docs/spec/polls.md). */
  readonly polls: PollStore;
  readonly #database: StoreDatabase;

  private constructor(database: StoreDatabase) {
    this.#database = database;
    this.rooms = new KyselyRoomStore(database.db);
    this.moderation = new KyselyModerationStore(database.db);
    this.invites = new KyselyInviteStore(database.db);
    this.recordings = new KyselyRecordingStore(database.db);
    this.documents = new KyselyDocumentStore(database.db);
    this.members = new KyselyRoomMemberStore(database.db);
    this.auth = new KyselyAuthStore(database.db);
    this.polls = new KyselyPollStore(database.db);
  }

  /** Opens the database, brings its schema up to date and imports older files (StoreDatabase.open). */
  static async open(options: StoreDatabaseOptions): Promise<Store> {
    return new Store(await StoreDatabase.open(options));
  }

  get engine(): StoreDatabase['engine'] {
    return this.#database.engine;
  }

  get closed(): boolean {
    return this.#database.closed;
  }

  /**
   * ROOM-7: the rows a room's id keys, in one transaction: the room, its invitations, its
   * owners and members, its moderation state, its polls and questions, its recordings' metadata, its board and chat. Files (recordings) and live
   * state (sessions, loaded documents) are their owners' to clear.
   */
  async deleteRoomRows(roomId: string): Promise<DeletedRoomRows> {
    return this.#database.db.transaction().execute(async (trx) => {
      const room = await trx.deleteFrom('rooms').where('id', '=', roomId).executeTakeFirst();
      const invitations = await trx.deleteFrom('invites').where('room_id', '=', roomId).executeTakeFirst();
      for (const table of [...MODERATION_TABLES, ...MEMBER_TABLES, ...POLL_TABLES]) await trx.deleteFrom(table).where('room_id', '=', roomId).execute();
      const recordings = await trx.deleteFrom('recordings').where('room_id', '=', roomId).executeTakeFirst();
      await deleteDocument(trx, collabDocumentName(roomId));
      return { room: room.numDeletedRows === 1n, invitations: Number(invitations.numDeletedRows), recordings: Number(recordings.numDeletedRows) };
    });
  }

  async close(): Promise<void> {
    await this.#database.close();
  }
}
