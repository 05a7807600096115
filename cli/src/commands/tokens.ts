import type { Command } from 'commander';
import { mintTokenBodySchema, tokenResponseSchema } from '@nomades/shared';
import { integer, seg, type CliContext } from '../context.js';
import { fields, print } from '../output.js';

export function tokensCommand(program: Command, ctx: CliContext): void {
  const tokens = program.command('tokens').description('room tokens');
  tokens
    .command('mint <room>')
    .description('mint a room token and its join link')
    .requiredOption('--name <name>', 'display name')
    .option('--role <role>', 'host, participant or attendee', 'participant')
    .option('--identity <identity>', 'stable identity (the same person across tokens)')
    .option('--ttl <seconds>', 'lifetime', integer)
    .action(async (room: string, o: { name: string; role: string; identity?: string; ttl?: number }) => {
      const body = { name: o.name, role: o.role, ...(o.identity ? { identity: o.identity } : {}), ...(o.ttl ? { ttlSeconds: o.ttl } : {}) };
      const answer = await ctx.api().call('POST', `/api/rooms/${seg(room)}/tokens`, { body, bodySchema: mintTokenBodySchema, answer: tokenResponseSchema });
      print(ctx.out(), answer, () => fields(answer));
    });
}
