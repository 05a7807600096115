import { Router, type Request } from 'express';
import {
  AppError,
  INTERNAL_RECORDING_ROUTES as ROUTES,
  recordingIdSchema,
  recordingReportSchema,
  tapRequestSchema,
  type RecordingStreamsResponse,
} from '@nomades/shared';
import { adminAuth } from '../http/adminAuth.js';
import { validateBody } from '../http/validateBody.js';
import type { RecordingLifecycle } from './RecordingLifecycle.js';
import type { RecordingManager } from './RecordingManager.js';

export interface InternalRouterDeps {
  recorderKey: string;
  /** The owner of every recording's state: reports go through its moves (RS-3). */
  recordings: RecordingLifecycle;
  manager?: RecordingManager;
  /** NODE-REC-1: this node, with several nodes. */
  nodeId?: string;
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

  const recordingId = async (req: Request): Promise<string> => {
    const parsed = recordingIdSchema.safeParse(req.params.id);
    const recording = parsed.success ? await deps.recordings.store.get(parsed.data) : undefined;
    if (!recording) throw new AppError('NOT_FOUND', 'no such recording');
    // NODE-REC-1: another node took it over while this one was thought dead: a recorder of this
    // node that resumes its old job is told it is gone (it fails for good, before it composes).
    if (deps.nodeId && recording.nodeId && recording.nodeId !== deps.nodeId) throw new AppError('NOT_FOUND', `this recording is node ${recording.nodeId}'s now`);
    return recording.id;
  };
  const session = async (req: Request) => {
    const s = deps.manager?.session(await recordingId(req));
    if (!s) throw new AppError('CONFLICT', 'this recording session has ended');
    return s;
  };

  router.get(ROUTES.streams.path, async (req, res) => {
    const id = await recordingId(req);
    deps.manager?.recorderContact(id); // REC-11: a recorder has the job
    const s = deps.manager?.session(id);
    const body: RecordingStreamsResponse = s ? { active: true, streams: s.streams() } : { active: false, streams: [] };
    res.json(body);
  });

  router.post(ROUTES.openTap.path, async (req, res) => {
    const s = await session(req);
    res.json(await s.openTap(validateBody(tapRequestSchema, req.body)));
  });

  router.post(ROUTES.resumeTap.path, async (req, res) => {
    await (await session(req)).resumeTap(String(req.params.producerId));
    res.json({});
  });

  router.delete(ROUTES.closeTap.path, async (req, res) => {
    deps.manager?.session(await recordingId(req))?.closeTap(String(req.params.producerId));
    res.status(204).end();
  });

  router.post(ROUTES.report.path, async (req, res) => {
    const id = await recordingId(req);
    await deps.recordings.report(id, validateBody(recordingReportSchema, req.body));
    res.json({});
  });

  return router;
}
