import { Router, type Request } from 'express';
import {
  AppError,
  INTERNAL_RECORDING_ROUTES as ROUTES,
  recordingIdSchema,
  recordingReportSchema,
  tapRequestSchema,
  type RecordingStreamsResponse,
} from '@nomades/shared';
import type { Logger } from '../logging/logger.js';
import { adminAuth } from '../http/adminAuth.js';
import { validateBody } from '../http/validateBody.js';
import type { RecordingEvents, RecordingManager } from './RecordingManager.js';
import type { RecordingStore } from './RecordingStore.js';

export interface InternalRouterDeps {
  recorderKey: string;
  recordings: RecordingStore;
  manager?: RecordingManager;
  /** `recording.failed` / `recording.ready` when a recorder reports a recording failed for good, or its file ready. */
  events?: RecordingEvents;
  log: Logger;
}

/**
 * /internal/recordings: the channel through which a recorder (maybe on another machine) follows
 * a session, asks the SFU for its streams and reports progress. `Authorization: Bearer
 * RECORDER_KEY`. Documented in recorder/README.md; the routes are defined once in
 * shared/src/recording/internalApi.ts (the recorder's ControlClient calls the same).
 */
export function internalRouter(deps: InternalRouterDeps): Router {
  const router = Router();
  router.use(adminAuth(deps.recorderKey));

  const recordingId = (req: Request) => {
    const parsed = recordingIdSchema.safeParse(req.params.id);
    if (!parsed.success || !deps.recordings.get(parsed.data)) throw new AppError('NOT_FOUND', 'no such recording');
    return parsed.data;
  };
  const session = (req: Request) => {
    const s = deps.manager?.session(recordingId(req));
    if (!s) throw new AppError('CONFLICT', 'this recording session has ended');
    return s;
  };

  router.get(ROUTES.streams.path, (req, res) => {
    const id = recordingId(req);
    deps.manager?.recorderContact(id); // REC-11: a recorder has the job
    const s = deps.manager?.session(id);
    const body: RecordingStreamsResponse = s ? { active: true, streams: s.streams() } : { active: false, streams: [] };
    res.json(body);
  });

  router.post(ROUTES.openTap.path, async (req, res) => {
    const s = session(req);
    res.json(await s.openTap(validateBody(tapRequestSchema, req.body)));
  });

  router.post(ROUTES.resumeTap.path, async (req, res) => {
    await session(req).resumeTap(String(req.params.producerId));
    res.json({});
  });

  router.delete(ROUTES.closeTap.path, (req, res) => {
    deps.manager?.session(recordingId(req))?.closeTap(String(req.params.producerId));
    res.status(204).end();
  });

  router.post(ROUTES.report.path, (req, res) => {
    const id = recordingId(req);
    const { note, ...patch } = validateBody(recordingReportSchema, req.body);
    const current = deps.recordings.get(id)!;
    // A late progress report must not turn a finished recording back; a failed one stays failed
    // with its reason (REC-11: a recorder taking a job the server gave up finds nothing to record).
    if (current.status === 'ready' && patch.status !== 'ready') delete patch.status;
    if (current.status === 'failed') {
      delete patch.status;
      delete patch.error;
    }
    deps.recordings.update(id, patch);
    if (note) deps.recordings.addNote(id, note);
    if (patch.status && patch.status !== current.status) {
      deps.log.info({ recording: id, room: current.roomId, status: patch.status, error: patch.error }, 'recording status');
      const info = deps.recordings.get(id)!;
      if (patch.status === 'failed') deps.events?.failed(info);
      if (patch.status === 'ready') deps.events?.ready(info); // HOOK-5
    }
    res.json({});
  });

  return router;
}
