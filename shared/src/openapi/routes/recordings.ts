import { z } from 'zod';
import { recordingListSchema } from '../../apiAnswers.js';
import { CAPTIONS_CONTENT_TYPES, CAPTIONS_LIMITS, captionsSavedSchema, recordingDetailsSchema } from '../../recording/captions.js';
import { viewableRecordingsSchema } from '../../sharing.js';
import type { ApiRegistry } from '../ApiRegistry.js';

/** server/src/recording/recordingsRouter.ts (mounted on /api): REC-n, REC-Vn. */
export function registerRecordings(api: ApiRegistry): void {
  // CAP-5: the admin's view of a recording says whether it has captions.
  const recording = api.schema('RecordingInfo', recordingDetailsSchema);
  api.route({
    method: 'get', path: '/api/rooms/:id/recordings', auth: 'admin', tag: 'recordings',
    summary: 'The room\'s recordings, oldest first',
    responses: { 200: { description: 'the recordings', schema: recordingListSchema } },
  });
  api.route({
    method: 'get', path: '/api/rooms/:id/recordings/watch', auth: 'roomToken', tag: 'recordings',
    summary: 'The room\'s recordings for a role among its recordingViewers, each ready one with a signed address, and one for its captions if it has some (REC-V1/2, CAP-3)',
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
    method: 'post', path: '/api/recordings/:id/recompose', auth: 'admin', tag: 'recordings',
    summary: 'Compose a finished (failed or ready) recording again from its kept tracks (RS-5); it is processing until a recorder reports',
    responses: { 202: { description: 'the recording, now processing', schema: recording } },
    errors: ['NOT_FOUND', 'CONFLICT', 'UNAVAILABLE'],
  });
  // CAP-n in docs/spec/sharing.md: server/src/recording/captions/captionsRoutes.ts.
  api.route({
    method: 'put', path: '/api/recordings/:id/captions', auth: 'adminOrRoomToken', tag: 'recordings',
    summary: 'Put the captions of a ready recording (CAP-1/2): a WebVTT or SRT file, stored as WebVTT; a refused file replaces nothing',
    description:
      `The admin key, or a room token of the recording's room whose live role has the \`captions\` right (hosts); never a watch link (\`?access=\`). ` +
      `At most ${CAPTIONS_LIMITS.maxBytes} bytes and ${CAPTIONS_LIMITS.maxCues} cues, in order, none ending after the recording. ` +
      'Webhook `recording.captions.updated`.',
    rawBody: { contentTypes: Object.values(CAPTIONS_CONTENT_TYPES), description: 'the captions file, UTF-8' },
    responses: { 200: { description: 'what was stored', schema: api.schema('CaptionsSaved', captionsSavedSchema) } },
    errors: ['CONFLICT', 'CAPTIONS_INVALID', 'PAYLOAD_TOO_LARGE', 'UNSUPPORTED_MEDIA_TYPE'],
  });
  api.route({
    method: 'get', path: '/api/recordings/:id/captions.vtt', auth: 'adminOrRecordingAccess', tag: 'recordings',
    summary: 'The recording\'s captions, WebVTT, for `<track kind="captions">` and downloads (CAP-3)',
    query: z.object({ access: z.string().optional() }),
    responses: { 200: { description: 'the captions', contentType: 'text/vtt' } },
  });
  api.route({
    method: 'delete', path: '/api/recordings/:id/captions', auth: 'adminOrRoomToken', tag: 'recordings',
    summary: 'Remove the recording\'s captions (CAP-1); webhook `recording.captions.updated` with `cues: 0`',
    responses: { 204: { description: 'removed' } },
  });
  api.route({
    method: 'delete', path: '/api/recordings/:id', auth: 'admin', tag: 'recordings',
    summary: 'Delete a finished recording and its files (409 while recording or processing)',
    responses: { 204: { description: 'deleted' } },
    errors: ['CONFLICT'],
  });
}
