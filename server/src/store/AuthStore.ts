import type { OidcPreset } from '@nomades/shared';

/** AUTH-2: a login in progress. Times in Unix milliseconds. */
export interface PendingLogin {
  /** A hash of the `state` sent to the provider. */
  stateHash: string;
  /** A hash of the random value of the browser's login cookie. */
  browserHash: string;
  nonce: string;
  codeVerifier: string;
  /** A same-origin path (AUTH-3). */
  returnTo: string;
  createdAt: number;
  expiresAt: number;
}

/** AUTH-8: an agent's session as the store keeps it. Times in Unix milliseconds. */
export interface AgentSessionRow {
  /** A hash of the cookie's id: the key, and the `sid` of the room tokens it obtains (AUTH-9). */
  idHash: string;
  agentKey: string;
  name: string;
  email: string | null;
  groups: string[];
  preset: OidcPreset;
  acr: string | null;
  /** The provider's session id (`sid` of the ID token), for back-channel logout (AUTH-12). */
  providerSid: string | null;
  providerSub: string;
  /** Kept for the logout's `id_token_hint` (AUTH-11); never sent to the browser. */
  idToken: string;
  createdAt: number;
  lastSeenAt: number;
  /** The absolute end. */
  expiresAt: number;
}

/** Which sessions to end: one, an agent's by email (AUTH-13), or the provider's sid/sub (AUTH-12). */
export type SessionMatch = { idHash: string } | { email: string } | { providerSid: string } | { providerSub: string };

/**
 * Logins in progress, agents' sessions and used logout tokens (KyselyAuthStore), shared by every
 * node (a login begun on one node ends on another, AUTH-2).
 */
export interface AuthStore {
  /** Adds a login; the browser's oldest beyond `maxPerBrowser` are dropped (AUTH-2). */
  addLogin(login: PendingLogin, maxPerBrowser: number): Promise<void>;
  /** Removes and returns the login of this state hash if it is still live at `now` (used once). */
  takeLogin(stateHash: string, now: number): Promise<PendingLogin | undefined>;
  /** Adds a session; the agent's oldest beyond `maxPerAgent` are deleted (their id hashes returned). */
  addSession(session: AgentSessionRow, maxPerAgent: number): Promise<string[]>;
  getSession(idHash: string): Promise<AgentSessionRow | undefined>;
  /** Sets `last_seen_at`. */
  touchSession(idHash: string, at: number): Promise<void>;
  /** Deletes the matching sessions; returns their id hashes. */
  deleteSessions(match: SessionMatch): Promise<string[]>;
  /** Remembers a logout token's `jti` hash until `expiresAt`; false when it was already there (a replay). */
  rememberJti(jtiHash: string, expiresAt: number): Promise<boolean>;
  /**
   * Deletes at most `limit` rows of each table that are over at `now`: expired logins, sessions
   * past their absolute end or idle longer than `idleMs`, forgotten jtis. Returns how many.
   */
  sweep(now: number, idleMs: number, limit: number): Promise<number>;
}
