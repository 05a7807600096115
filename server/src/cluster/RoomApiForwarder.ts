import http from 'node:http';
import https from 'node:https';
import type { RequestHandler } from 'express';
import { AppError } from '@nomades/shared';
import type { Logger } from '../logging/logger.js';
import type { RoomPlacement } from './RoomPlacement.js';

/** Set on a forwarded request: the node receiving it answers itself, never forwards again. */
export const FORWARDED_HEADER = 'x-nomades-forwarded-by';

/**
 * NODE-4: the API calls that act on a live meeting (its participants, lobby, lock, chat and board,
 * a change of its settings, its owners' settings (OWN-3: the lobby), its deletion) are answered by the node that hosts it. A request that
 * reaches another node (a front spreads them over all nodes) is passed on to that node untouched,
 * body and headers included, and its answer passed back; a room that runs nowhere is answered
 * here, from the shared store. Calls that only read or write the store are not forwarded. A home
 * that refuses the connection is probed and, if gone, buried before the 503 (NODE-5b), so that
 * the client's retry is answered at once rather than after the heartbeat's expiry.
 */
const LIVE_ROOM_PATH = /^\/api\/rooms\/([^/]+)(?:\/(participants|mute-all|lock|lobby|chat|board|settings)(?:\/.*)?)?$/;
const TIMEOUT_MS = 10_000;

export function roomApiForwarder(deps: { placement: RoomPlacement; nodeId: string; log: Logger }): RequestHandler {
  const log = deps.log.child({ name: 'forward' });
  return (req, res, next) => {
    const match = LIVE_ROOM_PATH.exec(req.path);
    if (!match || req.headers[FORWARDED_HEADER]) return next();
    // The room itself: only its change and deletion reach the live meeting.
    if (!match[2] && req.method !== 'PATCH' && req.method !== 'DELETE') return next();
    let roomId: string;
    try {
      roomId = decodeURIComponent(match[1]);
    } catch {
      return next();
    }
    deps.placement.homeElsewhere(roomId).then(
      (home) => {
        if (!home) return next();
        const target = new URL(req.originalUrl.replace(/^\//, ''), home.endsWith('/') ? home : `${home}/`);
        const client = target.protocol === 'https:' ? https : http;
        const upstream = client.request(target, {
          method: req.method,
          headers: { ...req.headers, host: target.host, [FORWARDED_HEADER]: deps.nodeId },
          timeout: TIMEOUT_MS,
        });
        upstream.on('response', (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        });
        upstream.on('timeout', () => upstream.destroy(new Error('timed out')));
        upstream.on('error', (error: NodeJS.ErrnoException) => {
          log.warn({ room: roomId, home, err: error.message }, 'forwarding to the room\'s node failed');
          if (res.headersSent) return void res.destroy();
          const refuse = () => {
            res.setHeader('Retry-After', '1');
            next(new AppError('UNAVAILABLE', 'the node hosting this room does not answer; try again'));
          };
          // NODE-5b: a refused connection may mean the home is gone: once buried, a retry is answered here.
          if (error.code === 'ECONNREFUSED') void deps.placement.reportUnreachable(roomId, home).then(refuse);
          else refuse();
        });
        req.pipe(upstream);
      },
      (error: unknown) => next(error),
    );
  };
}
