import crypto from 'node:crypto';
import express, { type Request, type RequestHandler, type Router } from 'express';
import { AppError, CAPTIONS_CONTENT_TYPES, CAPTIONS_LIMITS, can, type CaptionsFormat, type RecordingInfo } from '@nomades/shared';
import type { RoomAccess } from '../../access/RoomAccess.js';
import type { TokenService } from '../../auth/TokenService.js';
import type { CaptionsAuthor, CaptionsService } from './CaptionsService.js';

export interface CaptionsRoutesDeps {
  captions: CaptionsService;
  adminKey: string;
  /** The recording of `:id`, or AppError NOT_FOUND. */
  recordingOf: (req: Request) => Promise<RecordingInfo>;
  /** REC-V2's check: the admin key, or the recording's signed address (`?access=`). */
  adminOrAccess: RequestHandler;
  /** Room tokens, for hosts (none: the admin key only). */
  viewers?: { tokens: TokenService; access: RoomAccess };
}

/**
 * The captions of a recording (CAP-n in docs/spec/sharing.md), added to the recordings router
 * (mounted on /api; one router, as routeTable walks them):
 *  - `PUT /recordings/:id/captions` (`text/vtt` or `application/x-subrip`): the admin key, or a room
 *    token of the recording's room whose live role has the `captions` right (ACCESS-8); never the
 *    watch link, which only reads (CAP-1). The body is read only once the caller is known.
 *  - `GET /recordings/:id/captions.vtt`: as the file (REC-V2), for `<track src>` and downloads (CAP-3).
 *  - `DELETE /recordings/:id/captions`: as PUT.
 */
export function captionsRoutes(router: Router, deps: CaptionsRoutesDeps): void {
  const adminKeyHash = crypto.createHash('sha256').update(deps.adminKey).digest();
  const isAdminKey = (given: string) => crypto.timingSafeEqual(crypto.createHash('sha256').update(given).digest(), adminKeyHash);

  /** CAP-1: who writes; `res.locals.captionsBy` is 'admin' or 'host'. */
  const writer: RequestHandler = async (req, res, next) => {
    if (req.query.access !== undefined) throw new AppError('FORBIDDEN', 'a watch link only reads: put captions with the admin key or a host\'s room token', { reason: 'watchLink' });
    const match = /^Bearer (.+)$/.exec(req.headers.authorization ?? '');
    if (!match) throw new AppError('UNAUTHORIZED', 'the admin key or a host\'s room token is required: Authorization: Bearer …');
    const recording = await deps.recordingOf(req);
    let by: CaptionsAuthor;
    if (isAdminKey(match[1]!)) by = 'admin';
    else if (!deps.viewers) throw new AppError('FORBIDDEN', 'wrong admin key');
    else {
      const claims = await deps.viewers.tokens.verify(match[1], recording.roomId);
      const role = await deps.viewers.access.role(recording.roomId, claims);
      if (!can(role, 'captions')) throw new AppError('FORBIDDEN', 'your role may not change this recording\'s captions', { role });
      by = 'host';
    }
    res.locals.captionsBy = by;
    res.locals.recording = recording;
    next();
  };

  // The file as bytes, bounded: its text is checked by checkCaptions (UTF-8, then WebVTT or SRT).
  const raw = express.raw({ type: () => true, limit: CAPTIONS_LIMITS.maxBytes });
  const fileBody: RequestHandler = (req, res, next) => {
    if (!formatOf(req)) {
      const accepted = Object.values(CAPTIONS_CONTENT_TYPES).join(', ');
      return next(new AppError('UNSUPPORTED_MEDIA_TYPE', `captions are sent as ${accepted}`, { accepted }));
    }
    raw(req, res, (error?: unknown) => {
      if ((error as { type?: string } | undefined)?.type === 'entity.too.large') {
        return next(new AppError('PAYLOAD_TOO_LARGE', `the captions file is larger than ${CAPTIONS_LIMITS.maxBytes} bytes`, { maxBytes: CAPTIONS_LIMITS.maxBytes }));
      }
      next(error);
    });
  };

  router.put('/recordings/:id/captions', writer, fileBody, async (req, res) => {
    const body: unknown = req.body;
    const bytes = Buffer.isBuffer(body) ? body : Buffer.alloc(0);
    const saved = await deps.captions.put(res.locals.recording as RecordingInfo, bytes, formatOf(req)!, res.locals.captionsBy as CaptionsAuthor);
    res.json(saved);
  });

  router.get('/recordings/:id/captions.vtt', deps.adminOrAccess, async (req, res, next) => {
    const recording = await deps.recordingOf(req);
    if (!deps.captions.info(recording.id)) throw new AppError('NOT_FOUND', 'this recording has no captions');
    // A host may change them while the page plays: the browser asks again (ETag) rather than keep an old copy.
    res.sendFile(deps.captions.file(recording.id), { cacheControl: false, headers: { 'content-type': 'text/vtt; charset=utf-8', 'cache-control': 'no-cache' } }, (error) => {
      if (error && !res.headersSent) next(error);
    });
  });

  router.delete('/recordings/:id/captions', writer, async (_req, res) => {
    if (!(await deps.captions.remove(res.locals.recording as RecordingInfo, res.locals.captionsBy as CaptionsAuthor))) {
      throw new AppError('NOT_FOUND', 'this recording has no captions');
    }
    res.status(204).end();
  });
}

/** The format the Content-Type names (read here rather than with req.is(), which says nothing of an empty body). */
function formatOf(req: Request): CaptionsFormat | undefined {
  const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (type === CAPTIONS_CONTENT_TYPES.vtt) return 'vtt';
  if (type === CAPTIONS_CONTENT_TYPES.srt) return 'srt';
  return undefined;
}
