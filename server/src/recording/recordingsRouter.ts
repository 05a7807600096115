import fs from 'node:fs';
import path from 'node:path';
import { Router, type Request, type RequestHandler } from 'express';
import {
  AppError,
  SHARING_LIMITS,
  can,
  recordingIdSchema,
  recordingLayout,
  roomIdSchema,
  type RecordingInfo,
  type ViewableRecording,
} from '@nomades/shared';
import type { RoomAccess } from '../access/RoomAccess.js';
import type { TokenService } from '../auth/TokenService.js';
import { adminAuth } from '../http/adminAuth.js';
import { roomTokenReader } from '../http/roomTokenAuth.js';
import type { RoomStore } from '../store/RoomStore.js';
import type { RecordingStore } from '../store/RecordingStore.js';
import { captionsRoutes } from './captions/captionsRoutes.js';
import type { CaptionsService } from './captions/CaptionsService.js';

export interface RecordingsRouterDeps {
  adminKey: string;
  rooms: RoomStore;
  recordings: RecordingStore;
  recordingsDir: string;
  /** Drops the job from the queue when a recording is deleted. */
  removeJob?: (recordingId: string) => Promise<void>;
  /** Deletes a finished recording (files, row, `recording.deleted`); without it, the router does it without the event. */
  deleteRecording?: (recording: RecordingInfo) => Promise<void>;
  /** RS-5: composes a finished recording again from its kept tracks (admin key). */
  recompose?: (recordingId: string) => Promise<RecordingInfo>;
  /** REC-V1…3: recordings for the room's people, with their room token (none: admin only). */
  viewers?: { tokens: TokenService; access: RoomAccess };
  /** CAP-n: the recordings' captions (captions/captionsRoutes.ts); none: no captions routes. */
  captions?: CaptionsService;
}

const RECORDING_ACCESS_TYP = 'nomades-recording+jwt';

/** The composed file of a recording (the recorder writes it there: recordingLayout in shared/). */
export function recordingFile(recordingsDir: string, id: string): string {
  return recordingLayout.composed(recordingsDir, id);
}

/**
 * Recordings in the API (mounted on /api): list a room's, download one (HTTP ranges for
 * playback), delete one, with the admin key; and for the room's people (REC-V1…3 in
 * docs/spec/sharing.md), with a room token whose role may watch, the list with a signed address
 * per ready file, which opens that file only, for an hour.
 */
export function recordingsRouter(deps: RecordingsRouterDeps): Router {
  const router = Router();
  const admin = adminAuth(deps.adminKey);
  const recordingOr404 = async (req: Request): Promise<RecordingInfo> => {
    const parsed = recordingIdSchema.safeParse(req.params.id);
    const recording = parsed.success ? await deps.recordings.get(parsed.data) : undefined;
    if (!recording) throw new AppError('NOT_FOUND', 'no such recording');
    return recording;
  };
  // CAP-5: the admin's view says whether a recording has captions.
  const withCaptions = (r: RecordingInfo) => ({ ...r, captions: deps.captions?.info(r.id) ?? null });

  router.get('/rooms/:id/recordings', admin, async (req, res) => {
    const parsed = roomIdSchema.safeParse(req.params.id);
    if (!parsed.success || !(await deps.rooms.get(parsed.data))) throw new AppError('ROOM_NOT_FOUND', 'no such room');
    res.json((await deps.recordings.listByRoom(parsed.data)).map(withCaptions));
  });

  router.get('/recordings/:id', admin, async (req, res) => {
    res.json(withCaptions(await recordingOr404(req)));
  });

  // REC-V2: the file with the admin key, or with the signed address of this recording.
  const adminOrAccess: RequestHandler = (req, res, next) => {
    const access = req.query.access;
    if (access === undefined || !deps.viewers) return admin(req, res, next);
    deps.viewers.tokens
      .verifyScoped(RECORDING_ACCESS_TYP, typeof access === 'string' ? access : undefined)
      .then((claims) => (claims.rec === req.params.id ? next() : next(new AppError('FORBIDDEN', 'this address opens another recording'))))
      .catch(next);
  };

  if (deps.viewers) {
    const { tokens, access } = deps.viewers;
    const roomTokenOf = roomTokenReader({ tokens, access, store: deps.rooms });
    // REC-V1: the room's recordings for a role among its recordingViewers (the live role, ACCESS-8).
    router.get('/rooms/:id/recordings/watch', async (req, res) => {
      const { room, role } = await roomTokenOf(req);
      if (!room.recordingViewers.includes(role)) throw new AppError('FORBIDDEN', 'your role may not watch this room\'s recordings', { role });
      const now = Math.floor(Date.now() / 1000);
      const exp = now + SHARING_LIMITS.recordingAccessTtlSeconds;
      const recordings: ViewableRecording[] = await Promise.all(
        (await deps.recordings.listByRoom(room.id))
          // REC-V1: a failed recording is shown to those who moderate the room (REC-14), to no one else.
          .filter((r) => r.status !== 'failed' || can(role, 'moderate'))
          .map(async (r) => {
            const ready = r.status === 'ready';
            const jwt = ready ? await tokens.signScoped(RECORDING_ACCESS_TYP, { rec: r.id, room: room.id }, exp, now) : null;
            // CAP-3: the same signed address opens the recording's captions.
            const captioned = jwt !== null && deps.captions?.info(r.id) != null;
            return {
              id: r.id,
              status: r.status,
              startedAt: r.startedAt,
              endedAt: r.endedAt,
              durationMs: r.durationMs,
              sizeBytes: r.sizeBytes,
              url: jwt ? `/api/recordings/${encodeURIComponent(r.id)}/file?access=${encodeURIComponent(jwt)}` : null,
              urlExpiresAt: jwt ? new Date(exp * 1000).toISOString() : null,
              captionsUrl: captioned ? `/api/recordings/${encodeURIComponent(r.id)}/captions.vtt?access=${encodeURIComponent(jwt)}` : null,
              ...(r.queuePosition !== undefined ? { queuePosition: r.queuePosition } : {}),
            };
          }),
      );
      res.setHeader('Cache-Control', 'no-store');
      res.json({ recordings });
    });
  }

  router.get('/recordings/:id/file', adminOrAccess, async (req, res, next) => {
    const recording = await recordingOr404(req);
    const file = recordingFile(deps.recordingsDir, recording.id);
    if (recording.status !== 'ready' || !fs.existsSync(file)) {
      throw new AppError('CONFLICT', `the recording is not ready (status: ${recording.status})`);
    }
    res.attachment(`${recording.roomId}-${recording.startedAt.replace(/[:.]/g, '-')}.mp4`);
    res.sendFile(file, { acceptRanges: true, cacheControl: false, headers: { 'content-type': 'video/mp4' } }, (error) => {
      if (error && !res.headersSent) next(error);
    });
  });

  router.post('/recordings/:id/recompose', admin, async (req, res) => {
    const recording = await recordingOr404(req);
    if (!deps.recompose) throw new AppError('UNAVAILABLE', 'recording is off on this server');
    res.status(202).json(await deps.recompose(recording.id));
  });

  if (deps.captions) captionsRoutes(router, { captions: deps.captions, adminKey: deps.adminKey, recordingOf: recordingOr404, adminOrAccess, viewers: deps.viewers });

  router.delete('/recordings/:id', admin, async (req, res) => {
    const recording = await recordingOr404(req);
    if (recording.status === 'recording' || recording.status === 'processing') {
      throw new AppError('CONFLICT', `the recording is still ${recording.status}`);
    }
    if (deps.deleteRecording) await deps.deleteRecording(recording);
    else {
      await deps.removeJob?.(recording.id).catch(() => undefined);
      fs.rmSync(path.dirname(recordingFile(deps.recordingsDir, recording.id)), { recursive: true, force: true });
      await deps.recordings.delete(recording.id);
    }
    res.status(204).end();
  });

  return router;
}
