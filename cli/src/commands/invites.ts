import type { Command } from 'commander';
import { createInviteBodySchema, createdInviteSchema, inviteListSchema } from '@nomades/shared';
import { integer, seg, type CliContext } from '../context.js';
import { fields, print, table } from '../output.js';

export function invitesCommand(program: Command, ctx: CliContext): void {
  const invites = program.command('invites').description('invitations (INV-n in docs/spec/sharing.md)');
  invites
    .command('create <room>')
    .description('a signed, expiring invitation link')
    .option('--role <role>', 'role of those who join with it (default: participant, attendee in a webinar)')
    .option('--ttl <seconds>', 'lifetime', integer)
    .option('--max-uses <n>', 'uses allowed', integer)
    .action(async (room: string, o: { role?: string; ttl?: number; maxUses?: number }) => {
      const body = { ...(o.role ? { role: o.role } : {}), ...(o.ttl ? { ttlSeconds: o.ttl } : {}), ...(o.maxUses ? { maxUses: o.maxUses } : {}) };
      const answer = await ctx.api().call('POST', `/api/rooms/${seg(room)}/invites`, { body, bodySchema: createInviteBodySchema, answer: createdInviteSchema });
      print(ctx.out(), answer, () => fields(answer));
    });
  invites
    .command('list <room>')
    .description('the room\'s invitations with their uses')
    .action(async (room: string) => {
      const answer = await ctx.api().call('GET', `/api/rooms/${seg(room)}/invites`, { answer: inviteListSchema });
      print(ctx.out(), answer, () => table(answer.invites, ['id', 'kind', 'role', 'uses', 'maxUses', 'expiresAt', 'revoked']));
    });
  invites
    .command('revoke <room> <invite>')
    .description('revoke an invitation')
    .action(async (room: string, invite: string) => {
      await ctx.api().call('DELETE', `/api/rooms/${seg(room)}/invites/${seg(invite)}`);
      print(ctx.out(), { revoked: invite }, () => `revoked ${invite}`);
    });
}
