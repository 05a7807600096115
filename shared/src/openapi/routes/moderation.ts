import { muteAllAnswerSchema, participantListSchema } from '../../apiAnswers.js';
import { lobbyBodySchema, lockBodySchema, muteAllBodySchema, muteBodySchema, roleBodySchema, unlockBodySchema } from '../../signaling/moderationSchemas.js';
import type { ApiRegistry } from '../ApiRegistry.js';

/** server/src/http/moderationRouter.ts (mounted on /api/rooms): MOD-n, LOBBY-n. Actions on a room nobody is in: 404. */
export function registerModeration(api: ApiRegistry): void {
  const done = { 204: { description: 'done' } };
  const live = ['NOT_FOUND'] as const;
  api.route({
    method: 'get', path: '/api/rooms/:id/participants', auth: 'admin', tag: 'moderation',
    summary: 'Who is in the room, hands, lobby, lock',
    responses: { 200: { description: 'the participants and the room\'s controls', schema: api.schema('ParticipantList', participantListSchema) } },
  });
  api.route({
    method: 'post', path: '/api/rooms/:id/participants/:peerId/mute', auth: 'admin', tag: 'moderation',
    summary: 'Mute a microphone, stop a camera or a screen (`lock`: the participant may not turn it back on)',
    body: muteBodySchema, responses: done, errors: [...live],
  });
  api.route({
    method: 'post', path: '/api/rooms/:id/participants/:peerId/unlock', auth: 'admin', tag: 'moderation',
    summary: 'Let the participant turn a source back on', body: unlockBodySchema, responses: done, errors: [...live],
  });
  api.route({
    method: 'post', path: '/api/rooms/:id/participants/:peerId/role', auth: 'admin', tag: 'moderation',
    summary: 'Promote or demote a participant', body: roleBodySchema, responses: done, errors: [...live],
  });
  api.route({
    method: 'delete', path: '/api/rooms/:id/participants/:peerId/hand', auth: 'admin', tag: 'moderation',
    summary: 'Lower a raised hand', responses: done, errors: [...live],
  });
  api.route({
    method: 'delete', path: '/api/rooms/:id/participants/:peerId', auth: 'admin', tag: 'moderation',
    summary: 'Remove a participant: its token and identity cannot rejoin', responses: done, errors: [...live],
  });
  api.route({
    method: 'post', path: '/api/rooms/:id/mute-all', auth: 'admin', tag: 'moderation',
    summary: 'Mute every microphone', body: muteAllBodySchema,
    responses: { 200: { description: 'how many were muted', schema: muteAllAnswerSchema } }, errors: [...live],
  });
  api.route({
    method: 'post', path: '/api/rooms/:id/lock', auth: 'admin', tag: 'moderation',
    summary: 'Lock or unlock the room', body: lockBodySchema, responses: done,
  });
  api.route({
    method: 'post', path: '/api/rooms/:id/lobby', auth: 'admin', tag: 'moderation',
    summary: 'Turn the lobby on or off', body: lobbyBodySchema, responses: done,
  });
  api.route({
    method: 'post', path: '/api/rooms/:id/lobby/:entryId/admit', auth: 'admin', tag: 'moderation',
    summary: 'Admit someone waiting in the lobby', responses: done, errors: [...live],
  });
  api.route({
    method: 'post', path: '/api/rooms/:id/lobby/:entryId/refuse', auth: 'admin', tag: 'moderation',
    summary: 'Refuse someone waiting in the lobby', responses: done, errors: [...live],
  });
}
