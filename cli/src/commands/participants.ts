import type { Command } from 'commander';
import { participantListSchema } from '@nomades/shared';
import { seg, type CliContext } from '../context.js';
import { print, table } from '../output.js';

export function participantsCommand(program: Command, ctx: CliContext): void {
  const participants = program.command('participants').description('who is in a room');
  participants
    .command('list <room>')
    .description('the participants, with the lock, lobby and raised hands')
    .action(async (room: string) => {
      const answer = await ctx.api().call('GET', `/api/rooms/${seg(room)}/participants`, { answer: participantListSchema });
      print(ctx.out(), answer, () => {
        const rows = answer.peers.map((p) => ({ id: p.id, name: p.displayName, role: p.role, media: p.producers.map((m) => `${m.source}${m.paused ? ' (off)' : ''}`) }));
        const c = answer.controls;
        return `${table(rows, ['id', 'name', 'role', 'media'])}\nlocked: ${c.locked} · lobby: ${c.lobbyEnabled ? `on, ${c.lobby.length} waiting` : 'off'} · hands: ${c.hands.length}`;
      });
    });
  participants
    .command('remove <room> <peer>')
    .description('remove a participant: its token and identity cannot rejoin')
    .action(async (room: string, peer: string) => {
      await ctx.api().call('DELETE', `/api/rooms/${seg(room)}/participants/${seg(peer)}`);
      print(ctx.out(), { removed: peer }, () => `removed ${peer}`);
    });
}
