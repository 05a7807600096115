import { recordingIdSchema } from './recording.js';

/**
 * Where a recording's files are, under RECORDINGS_DIR, defined once: the recorder writes there
 * (recorder/src/RecordingJob.ts, Manifest.ts, StreamCapture.ts), the server serves and deletes
 * from there (server/src/recording/recordingsRouter.ts). POSIX paths (the recorder and the server
 * share the folder, possibly over a network file system).
 *
 *   RECORDINGS_DIR/<recordingId>/                 one folder per recording (mode 0700)
 *   RECORDINGS_DIR/<recordingId>/manifest.json    the tracks written, per attempt (resume)
 *   RECORDINGS_DIR/<recordingId>/<track>.mkv/.sdp one per captured producer
 *   RECORDINGS_DIR/<recordingId>/<recordingId>.mp4  the composed file, once ready
 *   RECORDINGS_DIR/<recordingId>/captions.vtt     its captions, when a host put some (CAP-4 in docs/spec/sharing.md)
 *
 * The id is checked (recordingIdSchema): no path can be built from anything else.
 */
export const recordingLayout = {
  dir(recordingsDir: string, recordingId: string): string {
    const id = recordingIdSchema.parse(recordingId);
    return `${recordingsDir.replace(/\/+$/, '')}/${id}`;
  },
  manifest(recordingsDir: string, recordingId: string): string {
    return `${recordingLayout.dir(recordingsDir, recordingId)}/${MANIFEST_FILE}`;
  },
  composed(recordingsDir: string, recordingId: string): string {
    return `${recordingLayout.dir(recordingsDir, recordingId)}/${recordingId}.mp4`;
  },
  /** Where the composer writes before the atomic rename to composed(). */
  composedPartial(recordingsDir: string, recordingId: string): string {
    return `${recordingLayout.composed(recordingsDir, recordingId)}.part.mp4`;
  },
  /** CAP-4: the captions (WebVTT, mode 0600), deleted with the folder. Written to a temporary file of the same folder, then renamed. */
  captions(recordingsDir: string, recordingId: string): string {
    return `${recordingLayout.dir(recordingsDir, recordingId)}/${CAPTIONS_FILE}`;
  },
} as const;

export const MANIFEST_FILE = 'manifest.json';
export const CAPTIONS_FILE = 'captions.vtt';
