import { Router, type Request } from 'express';
import { AppError, recordingIdSchema, recordingReportSchema, tapRequestSchema, type RecordingStreamsResponse } from '@nomades/shared';
import type { Logger } from '../logging/logger.js';
import { adminAuth } from '../http/adminAuth.js';
import { validateBody } from '../http/validateBody.js';
import type { RecordingEvents, RecordingManager } from './RecordingManager.js';
import type { RecordingStore } from './RecordingStore.js';

export interface InternalRouterDeps {
  recorderKey: string;
  recordings: RecordingStore;
  manager?: RecordingManager;
  /** `recording.failed` when a recorder reports a recording failed for good. */
  events?: RecordingEvents;
  log: Logger;
}

/**
 * /internal/recordings: the channel through which a recorder (maybe on another machine) follows
 * a session, asks the SFU for its streams and reports progress. `Authorization: Bearer
 * RECORDER_KEY`. Documented in recorder/README.md.
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

  router.get('/:id/streams', (req, res) => {
    const id = recordingId(req);
    deps.manager?.recorderContact(id); // REC-11: a recorder has the job
    const s = deps.manager?.session(id);
    const body: RecordingStreamsResponse = s ? { active: true, streams: s.streams() } : { active: false, streams: [] };
    res.json(body);
  });

  router.post('/:id/taps', async (req, res) => {
    const s = session(req);
    res.json(await s.openTap(validateBody(tapRequestSchema, req.body)));
  });

  router.post('/:id/taps/:producerId/resume', async (req, res) => {
    await session(req).resumeTap(String(req.params.producerId));
    res.json({});
  });

  router.delete('/:id/taps/:producerId', (req, res) => {
    deps.manager?.session(recordingId(req))?.closeTap(String(req.params.producerId));
    res.status(204).end();
  });

  router.post('/:id/report', (req, res) => {
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
      if (patch.status === 'failed') {
        const info = deps.recordings.get(id)!;
        deps.events?.failed({ roomId: info.roomId, recordingId: id, error: info.error ?? 'the recording failed', startedAt: info.startedAt, endedAt: info.endedAt });
      }
    }
    res.json({});
  });

  return router;
}
