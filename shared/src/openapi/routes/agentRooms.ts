import {
  calendarQuerySchema,
  handOverAnswerSchema,
  handOverBodySchema,
  myRoomSchema,
  myRoomsAnswerSchema,
  newAgentRoomBodySchema,
  roomSettingsSchema,
  sessionTokenAnswerSchema,
} from '../../auth.js';
import type { ApiRegistry } from '../ApiRegistry.js';

/** server/src/auth/agentRoomsApi.ts: the rooms agents run (OWN-n) and a session's room token (AUTH-9), docs/spec/auth.md. */
export function registerAgentRooms(api: ApiRegistry): void {
  const settings = api.schema('RoomSettings', roomSettingsSchema);
  api.route({
    method: 'post', path: '/api/rooms/:id/session-token', auth: 'agentSession', tag: 'sign-in',
    summary: 'A room token for the signed-in agent (AUTH-9)',
    description:
      'The role the room gives them (OWN-2: owner and hosts `host`; members and other agents `participant`, `attendee` in a webinar; members pass the lobby), ' +
      'their name and identity, and a `sid` claim: the session\'s end ends the meeting (AUTH-11). Lives until the session\'s end, at most 8 hours. Same-origin only.',
    responses: { 200: { description: 'the token, in the answer only', schema: api.schema('SessionTokenAnswer', sessionTokenAnswerSchema) } },
  });
  api.route({
    method: 'get', path: '/api/me/rooms', auth: 'agentSession', tag: 'sign-in',
    summary: '"Mes salles": the rooms the agent owns, hosts or belongs to (OWN-4)',
    responses: { 200: { description: 'the rooms', schema: api.schema('MyRoomsAnswer', myRoomsAnswerSchema) } },
  });
  api.route({
    method: 'post', path: '/api/me/rooms', auth: 'agentSession', tag: 'sign-in',
    summary: '"Nouvelle réunion" (OWN-1)',
    description: 'A readable name ("Réunion de Camille Martin du 7 décembre") unless given, its slug as id (suffixed when taken), the agent as owner, no lobby, guests not allowed. Same-origin only.',
    body: newAgentRoomBodySchema,
    responses: { 201: { description: 'the new room', schema: api.schema('MyRoom', myRoomSchema) } },
    errors: ['CONFLICT'],
  });
  api.route({
    method: 'get', path: '/api/rooms/:id/settings', auth: 'agentSession', tag: 'sign-in',
    summary: 'A room\'s settings, for its owners (OWN-3)',
    responses: { 200: { description: 'the settings', schema: settings } },
  });
  api.route({
    method: 'put', path: '/api/rooms/:id/settings', auth: 'agentSession', tag: 'sign-in',
    summary: 'Change a room\'s settings, for its owners (OWN-3)',
    description: '`lobby` applies to the live meeting at once; `record` may change only when the operator allows it (OWNERS_MAY_RECORD, OWN-6). Same-origin only.',
    body: settings,
    responses: { 200: { description: 'the settings as stored', schema: settings } },
  });
  api.route({
    method: 'get', path: '/api/rooms/:id/calendar.ics', auth: 'agentSession', tag: 'sign-in',
    summary: 'The meeting\'s invitation (iCalendar, RFC 5545), for its owners (OWN-7)',
    query: calendarQuerySchema,
    responses: { 200: { description: 'an .ics file with the room\'s link, weekly when asked', contentType: 'text/calendar' } },
    errors: ['BAD_REQUEST'],
  });
  api.route({
    method: 'put', path: '/api/rooms/:id/owner', auth: 'admin', tag: 'rooms',
    summary: 'Hand a room to another agent (OWN-8)',
    description: 'The agent of this email becomes the room\'s only owner (the former owners are removed).',
    body: handOverBodySchema,
    responses: { 200: { description: 'the room and its owner', schema: handOverAnswerSchema } },
  });
}
