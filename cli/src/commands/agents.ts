import type { Command } from 'commander';
import { endAgentSessionsQuerySchema, endedAgentSessionsSchema } from '@nomades/shared';
import { CliError, EXIT } from '../CliError.js';
import type { CliContext } from '../context.js';
import { print } from '../output.js';

/** `nomades agents logout <email>` (AUTH-13): end every session of a signed-in agent, and the meetings they opened. */
export function agentsCommand(program: Command, ctx: CliContext): void {
  const agents = program.command('agents').description('agents signed in with their city account (AUTH-n in docs/spec/auth.md)');
  agents
    .command('logout <email>')
    .description('end every session of this agent (their meetings end too)')
    .action(async (email: string) => {
      const query = endAgentSessionsQuerySchema.safeParse({ email });
      if (!query.success) throw new CliError('invalid email', EXIT.usage);
      const answer = await ctx.api().call('DELETE', `/api/agents/sessions?email=${encodeURIComponent(query.data.email)}`, { answer: endedAgentSessionsSchema });
      print(ctx.out(), answer, () => `${answer.ended} session${answer.ended === 1 ? '' : 's'} ended for ${query.data.email.toLowerCase()}`);
    });
}
