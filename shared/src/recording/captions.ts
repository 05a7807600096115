import { z } from 'zod';
import { recordingInfoSchema } from './recording.js';

/**
 * Captions of a recording (CAP-n in docs/spec/sharing.md; RGAA 4.3 / WCAG 1.2.2: prerecorded video
 * needs synchronised captions). A host or the administrator puts a WebVTT or SRT file; the server
 * validates it, stores it as WebVTT beside the recording's file (recordingLayout.captions) and
 * serves it to whoever may watch the recording, for `<track kind="captions">`.
 */
export const CAPTIONS_LIMITS = {
  /** CAP-2: the largest file accepted (bytes, as sent); beyond, 413 PAYLOAD_TOO_LARGE { maxBytes }. */
  maxBytes: 512 * 1024,
  /** CAP-2: cues one file may hold; a minute of speech is about 20. */
  maxCues: 5000,
} as const;

/** CAP-1: the bodies `PUT /api/recordings/:id/captions` accepts, by their Content-Type. */
export const CAPTIONS_CONTENT_TYPES = { vtt: 'text/vtt', srt: 'application/x-subrip' } as const;
export const captionsFormatSchema = z.enum(['vtt', 'srt']);
export type CaptionsFormat = z.infer<typeof captionsFormatSchema>;

/**
 * CAP-2: why a file is refused (`422 CAPTIONS_INVALID { reason, … }`, nothing replaced):
 * - `encoding`: not UTF-8;
 * - `format`: neither WebVTT (no `WEBVTT` signature) nor SRT (no timing line);
 * - `syntax`: the W3C WebVTT parser found an error (`line`, 1-based, of the file as stored: an
 *   SRT file's line numbers shift by the two lines of the added header);
 * - `order`: a cue starts before the one above it (`line`);
 * - `empty`: no cue;
 * - `tooManyCues`: more than `max` cues;
 * - `pastEnd`: cue number `cue` (1-based) ends at `endMs`, after the recording's `durationMs`.
 */
export const captionsRefusalSchema = z.enum(['encoding', 'format', 'syntax', 'order', 'empty', 'tooManyCues', 'pastEnd']);
export type CaptionsRefusal = z.infer<typeof captionsRefusalSchema>;

/** Whether a recording has captions: their cue count and when they were last put (CAP-5). */
export const recordingCaptionsSchema = z.object({
  cues: z.number().int().min(1).max(CAPTIONS_LIMITS.maxCues),
  updatedAt: z.string(),
});
export type RecordingCaptions = z.infer<typeof recordingCaptionsSchema>;

/** 200 answer of PUT /api/recordings/:id/captions: what was stored. */
export const captionsSavedSchema = recordingCaptionsSchema;
export type CaptionsSaved = z.infer<typeof captionsSavedSchema>;

/** The 204 answer of DELETE /api/recordings/:id/captions, for a client that checks every answer. */
export const noContentSchema = z.undefined();

/** GET /api/recordings/:id and GET /api/rooms/:id/recordings (admin): a recording and its captions (null: none). */
export const recordingDetailsSchema = recordingInfoSchema.extend({ captions: recordingCaptionsSchema.nullable() });
export type RecordingDetails = z.infer<typeof recordingDetailsSchema>;

/** One cue as the editor of the web client holds it (times in milliseconds). */
export interface CaptionCue {
  startMs: number;
  endMs: number;
  text: string;
}

/** `12345` → `00:00:12.345`, a WebVTT timestamp. */
export function formatVttTimestamp(ms: number): string {
  const total = Math.max(0, Math.round(ms));
  const pad = (n: number, width = 2) => String(n).padStart(width, '0');
  const hours = Math.floor(total / 3_600_000);
  const minutes = Math.floor(total / 60_000) % 60;
  const seconds = Math.floor(total / 1000) % 60;
  return `${pad(hours)}:${pad(minutes)}:${pad(seconds)}.${pad(total % 1000, 3)}`;
}

/**
 * Escapes cue text for WebVTT: `&`, `<` and `>` are markup there (a line of text written in the
 * editor is plain text, never tags). A blank line would end the cue: line breaks are kept, empty
 * lines dropped.
 */
export function escapeVttText(text: string): string {
  return text
    .split(/\r\n|\r|\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '')
    .join('\n')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;');
}

/** The editor's cues as a WebVTT file (what it PUTs as `text/vtt`); the server validates it as any other. */
export function serializeVtt(cues: readonly CaptionCue[]): string {
  const blocks = cues.map((c) => `${formatVttTimestamp(c.startMs)} --> ${formatVttTimestamp(c.endMs)}\n${escapeVttText(c.text)}`);
  return `WEBVTT\n\n${blocks.join('\n\n')}\n`;
}
