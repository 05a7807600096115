import type { OidcPreset } from '@nomades/shared';

/**
 * A signed-in agent as the rest of the server sees them (AUTH-5, AUTH-8): what a checked session
 * carries. The provider's tokens stay inside `auth/`.
 */
export interface SignedInAgent {
  /** `u:` + 22 base64url characters of SHA-256(issuer | subject): the identity in room tokens (AUTH-5). */
  readonly key: string;
  /** The name shown in meetings (AUTH-5). */
  readonly name: string;
  /** Lower-cased; null when the provider gave none. */
  readonly email: string | null;
  /** The provider's groups (OIDC_GROUPS_CLAIM), for room members of kind `group` (OWN-2). */
  readonly groups: readonly string[];
  readonly preset: OidcPreset;
  /** A hash of the session id: the `sid` claim of the room tokens this session obtains (AUTH-9). */
  readonly sessionHash: string;
  /** The session's absolute end (AUTH-8), Unix milliseconds. */
  readonly expiresAtMs: number;
}

export type AgentSessionsEvents = {
  /**
   * Sessions ended whose meetings must end (AUTH-11…13): emitted by AgentSessions for a logout or a
   * back-channel logout when LOGOUT_ENDS_MEETINGS is on, for an operator's end always; on the node
   * that handled it only. Not emitted when a session merely expires (idle or absolute lifetime).
   * The hashes are `SignedInAgent.sessionHash`.
   */
  ended: [sessionHashes: readonly string[]];
};
