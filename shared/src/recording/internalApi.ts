import { z } from 'zod';
import { recordingReportSchema, recordingStreamsResponseSchema, tapRequestSchema, tapResponseSchema } from './recording.js';

/**
 * The recorders' internal channel (REC-8 in recorder/README.md), defined once: the server mounts
 * these routes under INTERNAL_RECORDINGS_PATH (server/src/recording/internalRouter.ts), the
 * recorder calls them (recorder/src/ControlClient.ts), the OpenAPI document lists them. Paths are
 * in express's syntax, relative to the mount point; `Authorization: Bearer RECORDER_KEY`.
 */
export const INTERNAL_RECORDINGS_PATH = '/internal/recordings';

export const emptyAnswerSchema = z.object({}).strict();

export interface InternalRoute {
  method: 'get' | 'post' | 'delete';
  path: string;
  summary: string;
  body?: z.ZodTypeAny;
  /** JSON answer (200); none: 204 without a body. */
  answer?: z.ZodTypeAny;
}

export const INTERNAL_RECORDING_ROUTES = {
  streams: {
    method: 'get',
    path: '/:id/streams',
    summary: 'The session\'s producers to capture (`active` false once the session ended); the first call tells the server a recorder has the job (REC-11)',
    answer: recordingStreamsResponseSchema,
  },
  openTap: {
    method: 'post',
    path: '/:id/taps',
    summary: 'Send one producer\'s RTP and RTCP to the recorder (a paused plain-RTP consumer)',
    body: tapRequestSchema,
    answer: tapResponseSchema,
  },
  resumeTap: {
    method: 'post',
    path: '/:id/taps/:producerId/resume',
    summary: 'Resume a tap once ffmpeg listens',
    body: emptyAnswerSchema,
    answer: emptyAnswerSchema,
  },
  closeTap: { method: 'delete', path: '/:id/taps/:producerId', summary: 'Close a tap' },
  report: {
    method: 'post',
    path: '/:id/report',
    summary: 'The recorder tells where the job is (status, progress, duration, size, error, note)',
    body: recordingReportSchema,
    answer: emptyAnswerSchema,
  },
} as const satisfies Record<string, InternalRoute>;

export type InternalRecordingRouteName = keyof typeof INTERNAL_RECORDING_ROUTES;

/** The path of a route with its parameters filled in (each URI-encoded), relative to the mount point. */
export function fillPath(path: string, params: Record<string, string>): string {
  return path.replace(/:([A-Za-z0-9_]+)/g, (_m, name: string) => {
    const value = params[name];
    if (value === undefined) throw new Error(`missing path parameter ${name} of ${path}`);
    return encodeURIComponent(value);
  });
}
