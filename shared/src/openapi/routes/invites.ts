import { tokenResponseSchema } from '../../api.js';
import { inviteListSchema } from '../../apiAnswers.js';
import { createInviteBodySchema, createdInviteSchema, inviteTokenBodySchema, meetingInviteSchema } from '../../sharing.js';
import type { ApiRegistry } from '../ApiRegistry.js';

/** server/src/invites/invitesRouter.ts (mounted on /api/rooms): INV-n in docs/spec/sharing.md. */
export function registerInvites(api: ApiRegistry): void {
  api.route({
    method: 'post', path: '/api/rooms/:id/invites', auth: 'admin', tag: 'invites',
    summary: 'Make a signed, expiring invitation (INV-1…5)',
    body: api.schema('CreateInviteBody', createInviteBodySchema),
    responses: { 201: { description: 'the invitation and its link', schema: api.schema('CreatedInvite', createdInviteSchema) } },
    errors: ['CONFLICT'],
  });
  api.route({
    method: 'get', path: '/api/rooms/:id/invites', auth: 'admin', tag: 'invites',
    summary: 'The room\'s invitations with their uses',
    responses: { 200: { description: 'the invitations', schema: inviteListSchema } },
  });
  api.route({
    method: 'delete', path: '/api/rooms/:id/invites/:inviteId', auth: 'admin', tag: 'invites',
    summary: 'Revoke an invitation (INV-3)',
    responses: { 204: { description: 'revoked' } },
    errors: ['NOT_FOUND'],
  });
  api.route({
    method: 'post', path: '/api/rooms/:id/invites/current', auth: 'roomToken', tag: 'invites',
    summary: 'The room\'s reusable invitation, from the meeting (INV-7: hosts, participants where allowed)',
    responses: { 200: { description: 'the invitation link', schema: meetingInviteSchema } },
  });
  api.route({
    method: 'post', path: '/api/rooms/:id/invite-token', auth: 'none', tag: 'invites',
    summary: 'A room token of one\'s own with an invitation (INV-4…6; the invitation is in the body)',
    body: inviteTokenBodySchema,
    responses: { 200: { description: 'a token with a new identity and the invitation\'s role', schema: tokenResponseSchema } },
    errors: ['TOKEN_INVALID', 'TOKEN_EXPIRED', 'FORBIDDEN', 'RATE_LIMITED'],
  });
}
