import path from 'node:path';
import type { Command } from 'commander';
import { recordingInfoSchema, recordingListSchema } from '@nomades/shared';
import { seg, type CliContext } from '../context.js';
import { fields, print, table } from '../output.js';

export function recordingsCommand(program: Command, ctx: CliContext): void {
  const recordings = program.command('recordings').description('recordings of rooms');
  recordings
    .command('list <room>')
    .description('the room\'s recordings, oldest first')
    .action(async (room: string) => {
      const answer = await ctx.api().call('GET', `/api/rooms/${seg(room)}/recordings`, { answer: recordingListSchema });
      print(ctx.out(), answer, () => table(answer, ['id', 'status', 'startedAt', 'durationMs', 'sizeBytes', 'progress', 'error']));
    });
  recordings
    .command('show <recording>')
    .description('one recording')
    .action(async (id: string) => {
      const answer = await ctx.api().call('GET', `/api/recordings/${seg(id)}`, { answer: recordingInfoSchema });
      print(ctx.out(), answer, () => fields(answer));
    });
  recordings
    .command('download <recording>')
    .description('the recording\'s MP4, once ready')
    .option('-o, --output <file>', 'where to write it (default: <recording>.mp4 here)')
    .action(async (id: string, o: { output?: string }) => {
      const file = path.resolve(o.output ?? `${id.replace(/[^A-Za-z0-9_-]/g, '_')}.mp4`);
      const bytes = await ctx.api().download(`/api/recordings/${seg(id)}/file`, file);
      print(ctx.out(), { file, bytes }, () => `${file} (${bytes} bytes)`);
    });
  recordings
    .command('recompose <recording>')
    .description('compose a failed (or ready) recording again from its kept tracks')
    .action(async (id: string) => {
      const answer = await ctx.api().call('POST', `/api/recordings/${seg(id)}/recompose`, { answer: recordingInfoSchema });
      print(ctx.out(), answer, () => `${answer.id}: ${answer.status} (a recorder composes it again; see: nomades recordings show ${answer.id})`);
    });
  recordings
    .command('delete <recording>')
    .description('delete a finished recording and its files')
    .action(async (id: string) => {
      await ctx.api().call('DELETE', `/api/recordings/${seg(id)}`);
      print(ctx.out(), { deleted: id }, () => `deleted ${id}`);
    });
}
