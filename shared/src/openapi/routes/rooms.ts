import {
  createRoomBodySchema,
  guestTokenBodySchema,
  mintTokenBodySchema,
  publicRoomInfoSchema,
  roomInfoSchema,
  tokenResponseSchema,
  updateRoomBodySchema,
} from '../../api.js';
import { roomListSchema } from '../../apiAnswers.js';
import { roomsByOwnerQuerySchema } from '../../auth.js';
import type { ApiRegistry } from '../ApiRegistry.js';

/** server/src/http/roomsRouter.ts (mounted on /api/rooms). */
export function registerRooms(api: ApiRegistry): void {
  const room = api.schema('RoomInfo', roomInfoSchema);
  const token = api.schema('TokenResponse', tokenResponseSchema);
  api.route({
    method: 'post', path: '/api/rooms', auth: 'admin', tag: 'rooms',
    summary: 'Create a room',
    description: 'Without `id`, the id is the slug of `name` (NAME-1/2 in docs/spec/sharing.md), else generated; 409 CONFLICT if taken.',
    body: api.schema('CreateRoomBody', createRoomBodySchema),
    responses: { 201: { description: 'the room', schema: room } },
    errors: ['CONFLICT'],
  });
  api.route({
    method: 'get', path: '/api/rooms', auth: 'admin', tag: 'rooms',
    summary: 'List the rooms',
    description: '`owner`: only the rooms this email owns (OWN-8).',
    query: roomsByOwnerQuerySchema,
    responses: { 200: { description: 'every room', schema: roomListSchema } },
  });
  api.route({
    method: 'get', path: '/api/rooms/:id', auth: 'admin', tag: 'rooms',
    summary: 'Read a room',
    responses: { 200: { description: 'the room', schema: room } },
  });
  api.route({
    method: 'patch', path: '/api/rooms/:id', auth: 'admin', tag: 'rooms',
    summary: 'Change a room\'s settings',
    description: '`record: true` records its sessions (REC-n); `recordingViewers` (REC-V1); `participantsMayInvite` (INV-7).',
    body: api.schema('UpdateRoomBody', updateRoomBodySchema),
    responses: { 200: { description: 'the room as changed', schema: room } },
  });
  api.route({
    method: 'delete', path: '/api/rooms/:id', auth: 'admin', tag: 'rooms',
    summary: 'Delete a room and everything kept under its id (ROOM-7)',
    description:
      'Its invitations, moderation state, board and chat, and finished recordings (each with `recording.deleted`, reason `room-deleted`). ' +
      '409 CONFLICT while anyone is in the room or its lobby (`params.participants`), or while one of its recordings is recording or processing.',
    responses: { 204: { description: 'deleted' } },
    errors: ['CONFLICT'],
  });
  api.route({
    method: 'get', path: '/api/rooms/:id/public', auth: 'none', tag: 'rooms',
    summary: 'What the pre-join shows: name, mode, recording notice (NAME-3), whether guests may join and whether an agent made it (OWN-5)',
    responses: { 200: { description: 'the public information', schema: api.schema('PublicRoomInfo', publicRoomInfoSchema) } },
    errors: ['RATE_LIMITED'],
  });
  api.route({
    method: 'post', path: '/api/rooms/:id/tokens', auth: 'admin', tag: 'rooms',
    summary: 'Mint a room token',
    body: api.schema('MintTokenBody', mintTokenBodySchema),
    responses: { 200: { description: 'the token and its join link', schema: token } },
  });
  api.route({
    method: 'post', path: '/api/rooms/:id/guest', auth: 'none', tag: 'rooms',
    summary: 'A guest token where the room allows guests (its owners\' choice, else GUEST_ACCESS; OWN-5): participant, attendee in a webinar',
    body: guestTokenBodySchema,
    responses: { 200: { description: 'a 2-hour token', schema: token } },
    errors: ['GUEST_ACCESS_DISABLED', 'RATE_LIMITED'],
  });
}
