import { z } from 'zod';
import { roomInfoSchema } from './api.js';
import { chatMessageSchema } from './collab/collabDocument.js';
import { recordingDetailsSchema } from './recording/captions.js';
import { inviteInfoSchema } from './sharing.js';
import { roomControlsSchema } from './signaling/moderationSchemas.js';
import { peerInfoSchema } from './signaling/requests.js';

/**
 * Answers of the HTTP API that had no schema of their own: the OpenAPI document
 * (shared/src/openapi) and the `nomades` CLI (cli/) read them from here.
 */

/** GET /api/rooms */
export const roomListSchema = z.object({ rooms: z.array(roomInfoSchema) });
export type RoomList = z.infer<typeof roomListSchema>;

/** GET /api/rooms/:id/recordings (a bare array, oldest first), each with its captions (CAP-5). */
export const recordingListSchema = z.array(recordingDetailsSchema);

/** GET /api/rooms/:id/invites */
export const inviteListSchema = z.object({ invites: z.array(inviteInfoSchema) });

/** GET /api/rooms/:id/participants: who is in the room, and its moderation state as a host sees it. */
export const participantListSchema = z.object({ peers: z.array(peerInfoSchema), controls: roomControlsSchema });
export type ParticipantList = z.infer<typeof participantListSchema>;

/** POST /api/rooms/:id/mute-all */
export const muteAllAnswerSchema = z.object({ muted: z.number().int().nonnegative() });

/** GET /api/rooms/:id/chat */
export const chatHistorySchema = z.object({ messages: z.array(chatMessageSchema) });

/** GET /api/rooms/:id/board: a tldraw store snapshot (`schema` null while the board is empty). */
export const boardSnapshotSchema = z.object({
  store: z.record(z.string(), z.object({ id: z.string(), typeName: z.string() }).passthrough()),
  schema: z.record(z.string(), z.unknown()).nullable(),
});

/** GET /api/collab/config */
export const collabConfigSchema = z.object({ tldrawLicenseKey: z.string().nullable() });

/** GET /healthz (REC-11 for `recording`, DISK-2 for `recording.disk`; the other fields may grow). */
export const healthSchema = z
  .object({
    status: z.enum(['ok', 'degraded']),
    workers: z.number().int(),
    rooms: z.number().int(),
    sessions: z.number().int(),
    uptimeSeconds: z.number().int(),
    faults: z.unknown(),
    recording: z
      .object({
        status: z.string(),
        disk: z.object({ freeBytes: z.number(), totalBytes: z.number(), minFreeBytes: z.number(), low: z.boolean() }),
      })
      .passthrough(),
  })
  .passthrough();
