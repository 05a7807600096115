import fs from 'node:fs';
import path from 'node:path';
import { Router, type Request } from 'express';
import { AppError, recordingIdSchema, roomIdSchema, type RecordingInfo } from '@nomades/shared';
import { adminAuth } from '../http/adminAuth.js';
import type { RoomStore } from '../store/RoomStore.js';
import type { RecordingStore } from './RecordingStore.js';

export interface RecordingsRouterDeps {
  adminKey: string;
  rooms: RoomStore;
  recordings: RecordingStore;
  recordingsDir: string;
  /** Drops the job from the queue when a recording is deleted. */
  removeJob?: (recordingId: string) => Promise<void>;
}

/** The composed file of a recording (the recorder writes it there). */
export function recordingFile(recordingsDir: string, id: string): string {
  return path.join(recordingsDir, id, `${id}.mp4`);
}

/**
 * Recordings in the admin API (mounted on /api): list a room's, download one (HTTP ranges for
 * playback), delete one. Admin key only: room tokens do not grant downloads.
 */
export function recordingsRouter(deps: RecordingsRouterDeps): Router {
  const router = Router();
  const admin = adminAuth(deps.adminKey);
  const recordingOr404 = (req: Request): RecordingInfo => {
    const parsed = recordingIdSchema.safeParse(req.params.id);
    const recording = parsed.success ? deps.recordings.get(parsed.data) : undefined;
    if (!recording) throw new AppError('NOT_FOUND', 'no such recording');
    return recording;
  };

  router.get('/rooms/:id/recordings', admin, (req, res) => {
    const parsed = roomIdSchema.safeParse(req.params.id);
    if (!parsed.success || !deps.rooms.get(parsed.data)) throw new AppError('ROOM_NOT_FOUND', 'no such room');
    res.json(deps.recordings.listByRoom(parsed.data));
  });

  router.get('/recordings/:id', admin, (req, res) => {
    res.json(recordingOr404(req));
  });

  router.get('/recordings/:id/file', admin, (req, res, next) => {
    const recording = recordingOr404(req);
    const file = recordingFile(deps.recordingsDir, recording.id);
    if (recording.status !== 'ready' || !fs.existsSync(file)) {
      throw new AppError('CONFLICT', `the recording is not ready (status: ${recording.status})`);
    }
    res.attachment(`${recording.roomId}-${recording.startedAt.replace(/[:.]/g, '-')}.mp4`);
    res.sendFile(file, { acceptRanges: true, cacheControl: false, headers: { 'content-type': 'video/mp4' } }, (error) => {
      if (error && !res.headersSent) next(error);
    });
  });

  router.delete('/recordings/:id', admin, async (req, res) => {
    const recording = recordingOr404(req);
    if (recording.status === 'recording' || recording.status === 'processing') {
      throw new AppError('CONFLICT', `the recording is still ${recording.status}`);
    }
    await deps.removeJob?.(recording.id).catch(() => undefined);
    fs.rmSync(path.dirname(recordingFile(deps.recordingsDir, recording.id)), { recursive: true, force: true });
    deps.recordings.delete(recording.id);
    res.status(204).end();
  });

  return router;
}
