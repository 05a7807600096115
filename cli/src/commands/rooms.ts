import type { Command } from 'commander';
import { createRoomBodySchema, handOverAnswerSchema, handOverBodySchema, roomInfoSchema, roomListSchema, updateRoomBodySchema, type RoomInfo } from '@nomades/shared';
import { integer, list, seg, type CliContext } from '../context.js';
import { fields, print, table } from '../output.js';

const COLUMNS = ['id', 'name', 'mode', 'maxParticipants', 'record', 'createdAt'];

interface RoomOptions {
  id?: string;
  name?: string;
  max?: number;
  mode?: string;
  record?: boolean;
  screens?: number;
  viewers?: string[];
  participantsMayInvite?: boolean;
}

const settings = (o: RoomOptions) => ({
  name: o.name,
  maxParticipants: o.max,
  record: o.record,
  maxScreenShares: o.screens,
  recordingViewers: o.viewers,
  participantsMayInvite: o.participantsMayInvite,
});
const defined = (o: Record<string, unknown>) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));

export function roomsCommand(program: Command, ctx: CliContext): void {
  const rooms = program.command('rooms').description('create, list, read, change and delete rooms');
  const shared = (c: Command) =>
    c
      .option('--name <name>', 'human name (the id is its slug when --id is not given)')
      .option('--max <n>', 'most participants', integer)
      .option('--record', 'record its sessions automatically')
      .option('--no-record', 'stop recording its sessions')
      .option('--screens <n>', 'screens shared at once', integer)
      .option('--viewers <roles>', 'roles that may watch its recordings, comma-separated (host,participant,attendee)', list)
      .option('--participants-may-invite', 'participants may copy the invitation from the meeting')
      .option('--no-participants-may-invite', 'only hosts may');

  shared(rooms.command('create').description('create a room').option('--id <id>', 'stable id').option('--mode <mode>', 'meeting, webinar or coffee')).action(
    async (o: RoomOptions, cmd: Command) => {
      const body = defined({ id: o.id, mode: o.mode, ...settings(o), record: cmd.getOptionValueSource('record') === 'cli' ? o.record : undefined, participantsMayInvite: cmd.getOptionValueSource('participantsMayInvite') === 'cli' ? o.participantsMayInvite : undefined });
      const room = await ctx.api().call('POST', '/api/rooms', { body, bodySchema: createRoomBodySchema, answer: roomInfoSchema });
      print(ctx.out(), room, () => fields(room));
    },
  );
  rooms
    .command('list')
    .description('list the rooms')
    .option('--owner <email>', 'only the rooms this agent owns (OWN-8)')
    .action(async (o: { owner?: string }) => {
      const query = o.owner ? `?owner=${encodeURIComponent(o.owner)}` : '';
      const answer = await ctx.api().call('GET', `/api/rooms${query}`, { answer: roomListSchema });
      print(ctx.out(), answer, () => table(answer.rooms, COLUMNS));
    });
  rooms
    .command('show <room>')
    .description('one room with its settings')
    .action(async (id: string) => {
      const room: RoomInfo = await ctx.api().call('GET', `/api/rooms/${seg(id)}`, { answer: roomInfoSchema });
      print(ctx.out(), room, () => fields(room));
    });
  shared(rooms.command('update <room>').description('change a room\'s settings')).action(async (id: string, o: RoomOptions, cmd: Command) => {
    const body = defined({ ...settings(o), record: cmd.getOptionValueSource('record') === 'cli' ? o.record : undefined, participantsMayInvite: cmd.getOptionValueSource('participantsMayInvite') === 'cli' ? o.participantsMayInvite : undefined });
    const room = await ctx.api().call('PATCH', `/api/rooms/${seg(id)}`, { body, bodySchema: updateRoomBodySchema, answer: roomInfoSchema });
    print(ctx.out(), room, () => fields(room));
  });
  rooms
    .command('hand-over <room> <email>')
    .description('make the agent of this email the room\'s only owner (its owner left; OWN-8)')
    .action(async (id: string, email: string) => {
      const answer = await ctx.api().call('PUT', `/api/rooms/${seg(id)}/owner`, { body: { email }, bodySchema: handOverBodySchema, answer: handOverAnswerSchema });
      print(ctx.out(), answer, () => `${answer.id} is now owned by ${answer.owner}`);
    });
  rooms
    .command('delete <room>')
    .description('delete a room with its invitations, moderation state, board, chat and recordings (refused while in use)')
    .action(async (id: string) => {
      await ctx.api().call('DELETE', `/api/rooms/${seg(id)}`);
      print(ctx.out(), { deleted: id }, () => `deleted ${id}`);
    });
}
