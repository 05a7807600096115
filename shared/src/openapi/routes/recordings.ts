import { z } from 'zod';
import { recordingListSchema } from '../../apiAnswers.js';
import { recordingInfoSchema } from '../../recording/recording.js';
import { viewableRecordingsSchema } from '../../sharing.js';
import type { ApiRegistry } from '../ApiRegistry.js';

/** server/src/recording/recordingsRouter.ts (mounted on /api): REC-n, REC-Vn. */
export function registerRecordings(api: ApiRegistry): void {
  const recording = api.schema('RecordingInfo', recordingInfoSchema);
  api.route({
    method: 'get', path: '/api/rooms/:id/recordings', auth: 'admin', tag: 'recordings',
    summary: 'The room\'s recordings, oldest first',
    responses: { 200: { description: 'the recordings', schema: recordingListSchema } },
  });
  api.route({
    method: 'get', path: '/api/rooms/:id/recordings/watch', auth: 'roomToken', tag: 'recordings',
    summary: 'The room\'s recordings for a role among its recordingViewers, each ready one with a signed address (REC-V1/2)',
    responses: { 200: { description: 'the recordings', schema: viewableRecordingsSchema } },
  });
  api.route({
    method: 'get', path: '/api/recordings/:id', auth: 'admin', tag: 'recordings',
    summary: 'One recording',
    responses: { 200: { description: 'the recording', schema: recording } },
  });
  api.route({
    method: 'get', path: '/api/recordings/:id/file', auth: 'adminOrRecordingAccess', tag: 'recordings',
    summary: 'The recording\'s MP4, with HTTP ranges, once ready',
    query: z.object({ access: z.string().optional() }),
    responses: {
      200: { description: 'the file', contentType: 'video/mp4' },
      206: { description: 'a range of the file', contentType: 'video/mp4' },
    },
    errors: ['CONFLICT'],
  });
  api.route({
    method: 'delete', path: '/api/recordings/:id', auth: 'admin', tag: 'recordings',
    summary: 'Delete a finished recording and its files (409 while recording or processing)',
    responses: { 204: { description: 'deleted' } },
    errors: ['CONFLICT'],
  });
}
