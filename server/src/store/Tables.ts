import type { Generated } from 'kysely';

/**
 * The typed schema of the one database (Kysely), the same on SQLite and PostgreSQL. Booleans are
 * integers (0/1), times ISO text (Unix seconds for invites), blobs BLOB or bytea. The column names
 * are those of the files before the one store layer, so that their rows import as they are.
 */
export interface Tables {
  rooms: RoomsTable;
  room_flags: RoomFlagsTable;
  bans: BansTable;
  roles: RolesTable;
  media_locks: MediaLocksTable;
  flagged_addresses: FlaggedAddressesTable;
  invites: InvitesTable;
  recordings: RecordingsTable;
  collab_documents: CollabDocumentsTable;
  collab_updates: CollabUpdatesTable;
  room_members: RoomMembersTable;
  auth_logins: AuthLoginsTable;
  auth_sessions: AuthSessionsTable;
  auth_logout_jtis: AuthLogoutJtisTable;
  polls: PollsTable;
  poll_ballots: PollBallotsTable;
  questions: QuestionsTable;
  question_upvotes: QuestionUpvotesTable;
}

export interface RoomsTable {
  id: string;
  name: string;
  max_participants: number;
  mode: string;
  record: number;
  max_screen_shares: number;
  /** JSON array of roles (REC-V1). */
  recording_viewers: string;
  participants_may_invite: number;
  created_at: string;
  /** OWN-1: the key of the agent who made the room; null for rooms made with the admin API. */
  created_by: string | null;
  /** OWN-5: guests may join (0/1); null: the service's rule (GUEST_ACCESS). */
  guests_allowed: number | null;
}

export interface RoomFlagsTable {
  room_id: string;
  locked: number;
  lobby_enabled: number;
}

/** `seq` orders the moderation lists by first insertion: the caps forget the lowest. */
export interface BansTable {
  seq: Generated<number>;
  room_id: string;
  kind: string;
  value: string;
}

export interface RolesTable {
  seq: Generated<number>;
  room_id: string;
  identity: string;
  role: string;
}

export interface MediaLocksTable {
  seq: Generated<number>;
  room_id: string;
  identity: string;
  source: string;
}

export interface FlaggedAddressesTable {
  seq: Generated<number>;
  room_id: string;
  address: string;
}

export interface InvitesTable {
  id: string;
  room_id: string;
  role: string;
  kind: string;
  created_at: number;
  expires_at: number;
  max_uses: number | null;
  uses: Generated<number>;
  revoked: Generated<number>;
}

export interface RecordingsTable {
  id: string;
  room_id: string;
  status: string;
  started_at: string;
  ended_at: string | null;
  duration_ms: Generated<number>;
  size_bytes: Generated<number>;
  progress: Generated<number>;
  error: string | null;
  note: string | null;
  queue_position: number | null;
  /** NODE-REC-1: the node whose queue holds its job (several nodes); null on one node. */
  node_id: string | null;
}

export interface CollabDocumentsTable {
  name: string;
  state: Uint8Array;
  updated_at: string;
}

export interface CollabUpdatesTable {
  seq: Generated<number>;
  name: string;
  data: Uint8Array;
}

/** OWN-2/3: who owns, hosts or belongs to a room (kind agent: an agent's key, owners only). */
export interface RoomMembersTable {
  seq: Generated<number>;
  room_id: string;
  kind: string;
  value: string;
  role: string;
}

/** AUTH-2: a login in progress. Times in Unix milliseconds. */
export interface AuthLoginsTable {
  state_hash: string;
  browser_hash: string;
  nonce: string;
  code_verifier: string;
  return_to: string;
  created_at: number;
  expires_at: number;
}

/** AUTH-8: an agent's session. Times in Unix milliseconds; `groups` a JSON array. */
export interface AuthSessionsTable {
  id_hash: string;
  agent_key: string;
  name: string;
  email: string | null;
  groups: string;
  preset: string;
  acr: string | null;
  provider_sid: string | null;
  provider_sub: string;
  id_token: string;
  created_at: number;
  last_seen_at: number;
  expires_at: number;
}

/** AUTH-12: back-channel logout tokens already used (a hash of their `jti`). */
export interface AuthLogoutJtisTable {
  jti_hash: string;
  expires_at: number;
}

/** POLL-9: a room's polls; `options` a JSON array of strings, times in Unix milliseconds. */
export interface PollsTable {
  id: string;
  room_id: string;
  question: string;
  kind: string;
  options: string;
  anonymous: number;
  results: string;
  status: string;
  created_at: number;
}

/** POLL-3: one ballot per voter and poll; `voter` a hash and `name` null for an anonymous poll (POLL-6). */
export interface PollBallotsTable {
  poll_id: string;
  room_id: string;
  voter: string;
  name: string | null;
  /** JSON array of option indexes. */
  choices: string;
  voted_at: number;
}

/** QUESTION-n: a room's questions. */
export interface QuestionsTable {
  id: string;
  room_id: string;
  author_identity: string;
  author_name: string;
  text: string;
  status: string;
  created_at: number;
}

/** QUESTION-2: one upvote per identity and question. */
export interface QuestionUpvotesTable {
  question_id: string;
  room_id: string;
  identity: string;
}

/** Every table, in the order a copy fills them (the CLI's copy, the legacy import). */
export const TABLE_NAMES = [
  'rooms',
  'room_flags',
  'bans',
  'roles',
  'media_locks',
  'flagged_addresses',
  'invites',
  'recordings',
  'collab_documents',
  'collab_updates',
  'room_members',
  'auth_logins',
  'auth_sessions',
  'auth_logout_jtis',
  'polls',
  'poll_ballots',
  'questions',
  'question_upvotes',
] as const satisfies ReadonlyArray<keyof Tables>;
