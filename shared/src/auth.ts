import { z } from 'zod';
import { roomModeSchema } from './api.js';
import { LIMITS } from './limits.js';
import { roleSchema, roomIdSchema } from './token.js';

/**
 * Sign-in (OpenID Connect) and the rooms agents run themselves: the rules AUTH-n and OWN-n in
 * docs/spec/auth.md. Signing in is only one more way to obtain the same room token (AUTH-9);
 * nothing of the meeting, board or chat knows what OpenID Connect is.
 */
export const AUTH_LIMITS = {
  /** AUTH-2: logins in progress kept per browser (oldest dropped), and how long one lives. */
  pendingLoginsPerBrowser: 5,
  pendingLoginTtlMs: 10 * 60_000,
  /** OWN-3: entries (emails and groups) in one room's members, and rooms one agent owns. */
  maxMembersPerRoom: 500,
  maxOwnedRooms: 200,
  maxEmailLength: 254,
  maxGroupLength: 256,
  /** AUTH-9: a room token from a session lives until the session's end, at most this long. */
  sessionTokenMaxTtlS: 8 * 3600,
  /** AUTH-11: ended sessions a node remembers (their tokens are refused), each as long as its tokens may live. */
  endedSessionsRemembered: 10_000,
  /** OWN-n: calls per client address and minute to the routes of signed-in agents (tokens, settings, rooms). */
  agentRoutesWindowMs: 60_000,
  agentRoutesPerWindow: 60,
  /** OWN-1: new rooms per client address and minute. */
  newRoomsPerWindow: 30,
  /** OWN-7: the length of a meeting in its invitation, minutes. */
  maxMeetingMinutes: 12 * 60,
  /** AUTH-12: back-channel logout tokens are accepted this long after their `iat`. */
  logoutTokenMaxAgeS: 120,
} as const;

/** The two presets of OIDC_PRESET (AUTH-4): scopes, claims and logout rules. */
export const oidcPresetSchema = z.enum(['generic', 'proconnect']);
export type OidcPreset = z.infer<typeof oidcPresetSchema>;

/**
 * AUTH-14: why a sign-in or a sign-out did not end as hoped, in the address of the error page
 * (`/connexion/erreur?code=…`): the web client words it (French first), never a stack trace.
 */
export const authErrorCodeSchema = z.enum([
  /** The answer from the provider matches no login begun in this browser (state missing, forged, replayed, expired). */
  'login_expired',
  /** The provider refused or failed (its `error`, a bad code, a PKCE or nonce mismatch, another issuer). */
  'provider_refused',
  /** The provider could not be reached (discovery, token endpoint). */
  'provider_unavailable',
  /** AUTH-6: the second factor demanded was not used (`acr` not in OIDC_ACR_VALUES). */
  'second_factor_required',
  /** AUTH-7: the agent is not in the allow-list (email domain, organisation, identity provider). */
  'not_allowed',
  /** The session ended (idle or absolute lifetime, logout elsewhere, an operator). */
  'session_expired',
  /** Sign-in is not configured on this service. */
  'not_configured',
]);
export type AuthErrorCode = z.infer<typeof authErrorCodeSchema>;

/** `GET /api/me` (AUTH-10): who this browser's session is, without any token. */
export const meAnswerSchema = z.discriminatedUnion('signedIn', [
  z.object({
    signedIn: z.literal(false),
    /** Whether sign-in is configured (OIDC_ISSUER): the home page shows "Se connecter" then. */
    loginAvailable: z.boolean(),
    preset: oidcPresetSchema.nullable(),
  }),
  z.object({
    signedIn: z.literal(true),
    /** The name shown in meetings (AUTH-5). */
    name: z.string(),
    email: z.string().nullable(),
    preset: oidcPresetSchema,
    /** When the session ends at the latest (absolute lifetime, AUTH-8), ISO time. */
    expiresAt: z.string(),
    /** OWN-6: the operator lets owners turn recording on (OWNERS_MAY_RECORD). */
    ownersMayRecord: z.boolean(),
  }),
]);
export type MeAnswer = z.infer<typeof meAnswerSchema>;

/** What makes an agent a member: an email address, or a group the provider names (OIDC_GROUPS_CLAIM). */
export const memberKindSchema = z.enum(['email', 'group']);
/** OWN-2: `host`: joins as host; `member`: joins as participant (attendee in a webinar) past the lobby. */
export const memberRoleSchema = z.enum(['host', 'member']);
export const roomMemberSchema = z
  .object({
    kind: memberKindSchema,
    value: z.string().trim().min(1).max(AUTH_LIMITS.maxGroupLength),
    role: memberRoleSchema,
  })
  .strict()
  .refine((m) => m.kind !== 'email' || (m.value.length <= AUTH_LIMITS.maxEmailLength && /^[^\s@]+@[^\s@]+$/.test(m.value)), {
    message: 'an email address',
    path: ['value'],
  });
export type RoomMember = z.infer<typeof roomMemberSchema>;

/** How the signed-in agent relates to a room in "Mes salles" (OWN-4). */
export const myRoomRelationSchema = z.enum(['owner', 'host', 'member']);
export const myRoomSchema = z.object({
  id: roomIdSchema,
  name: z.string(),
  mode: roomModeSchema,
  relation: myRoomRelationSchema,
  /** The room's link (PUBLIC_URL/room/<id>). */
  url: z.string(),
});
export type MyRoom = z.infer<typeof myRoomSchema>;
export const myRoomsAnswerSchema = z.object({ rooms: z.array(myRoomSchema) });
export type MyRoomsAnswer = z.infer<typeof myRoomsAnswerSchema>;

/** `POST /api/me/rooms` (OWN-1): "Nouvelle réunion"; without a name, a readable one is made. */
export const newAgentRoomBodySchema = z
  .object({
    name: z.string().trim().min(1).max(LIMITS.maxRoomNameLength).optional(),
    mode: z.enum(['meeting', 'coffee']).optional(),
  })
  .strict();
export type NewAgentRoomBody = z.infer<typeof newAgentRoomBodySchema>;

/** A room's settings as its owners see and change them (OWN-3): `GET`/`PUT /api/rooms/:id/settings`. */
export const roomSettingsSchema = z
  .object({
    name: z.string().trim().min(1).max(LIMITS.maxRoomNameLength),
    /** Co-owners by email (the creator is an owner; owners are hosts). */
    owners: z.array(z.string().trim().min(3).max(AUTH_LIMITS.maxEmailLength)).max(20),
    members: z.array(roomMemberSchema).max(AUTH_LIMITS.maxMembersPerRoom),
    /** Agents who are neither owners nor members wait in the lobby (team rooms: on by default). */
    lobby: z.boolean(),
    /** People without a city account may join as guests ("Continuer en tant qu'invité"). */
    guestsAllowed: z.boolean(),
    /** Sessions are recorded (only when the operator lets owners decide, OWN-6). */
    record: z.boolean(),
  })
  .strict();
export type RoomSettings = z.infer<typeof roomSettingsSchema>;

/** `POST /api/rooms/:id/session-token` (AUTH-9): the room token the session gives, and why. */
export const sessionTokenAnswerSchema = z.object({
  token: z.string(),
  expiresAt: z.string(),
  role: roleSchema,
  relation: z.enum(['owner', 'host', 'member', 'agent']),
});
export type SessionTokenAnswer = z.infer<typeof sessionTokenAnswerSchema>;

/** `GET /api/rooms/:id/calendar.ics` (OWN-7): when, how long, and whether it comes back every week. */
export const calendarQuerySchema = z
  .object({
    /** ISO time of the first meeting; default: the next full hour. */
    start: z.string().datetime({ offset: true }).optional(),
    durationMin: z.coerce.number().int().min(5).max(AUTH_LIMITS.maxMeetingMinutes).default(60),
    weekly: z.enum(['0', '1']).default('0'),
  })
  .strict();
export type CalendarQuery = z.infer<typeof calendarQuerySchema>;

/** The answer of `PUT /api/rooms/:id/owner` (OWN-8): the room and its one owner now. */
export const handOverAnswerSchema = z.object({ id: roomIdSchema, owner: z.string() });
export type HandOverAnswer = z.infer<typeof handOverAnswerSchema>;

/** `GET /api/rooms?owner=<email>` (admin, OWN-8): only the rooms this email owns. */
export const roomsByOwnerQuerySchema = z.object({ owner: z.string().trim().min(3).max(AUTH_LIMITS.maxEmailLength).optional() });

/** `PUT /api/rooms/:id/owner` (admin, OWN-8): hand a room to another agent (its owner left the city). */
export const handOverBodySchema = z.object({ email: z.string().trim().min(3).max(AUTH_LIMITS.maxEmailLength) }).strict();

/** `DELETE /api/agents/sessions?email=` (admin, AUTH-13): end every session of an agent. */
export const endAgentSessionsQuerySchema = z.object({ email: z.string().trim().min(3).max(AUTH_LIMITS.maxEmailLength) }).strict();
/** How many sessions an operator's request ended (AUTH-13). */
export const endedAgentSessionsSchema = z.object({ ended: z.number().int().min(0) });
export type EndedAgentSessions = z.infer<typeof endedAgentSessionsSchema>;
