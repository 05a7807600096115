import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RequestHandler } from 'express';
import { pinoHttp } from 'pino-http';
import { clientAddress } from '../access/clientAddress.js';
import type { Logger } from './logger.js';

/** Paths asked by probes and scrapers every few seconds: logged at debug (OPS-6). */
const PROBE_PATHS = new Set(['/healthz', '/metrics']);
/** The longest URL written to the log. */
const MAX_LOGGED_URL = 512;

/**
 * OPS-6: a URL as the access log writes it: the path, and the query's names with their values
 * replaced (join links carry `?token=`, invitations `?invite=`, recordings `?access=`: none is ever
 * written), at most MAX_LOGGED_URL characters.
 */
export function loggableUrl(url: string | undefined): string {
  const raw = url ?? '';
  const q = raw.indexOf('?');
  const path = q === -1 ? raw : raw.slice(0, q);
  let logged = path;
  if (q !== -1) {
    const names = raw
      .slice(q + 1)
      .split('&')
      .filter(Boolean)
      .map((pair) => pair.split('=')[0].replace(/[^A-Za-z0-9_.-]/g, '_').slice(0, 32));
    logged = `${path}?${names.map((name) => `${name}=[redacted]`).join('&')}`;
  }
  return logged.length > MAX_LOGGED_URL ? `${logged.slice(0, MAX_LOGGED_URL)}…` : logged;
}

function pathOf(req: IncomingMessage): string {
  const url = req.url ?? '';
  const q = url.indexOf('?');
  return q === -1 ? url : url.slice(0, q);
}

/**
 * OPS-6: one structured line per HTTP request answered by express (`name: "access"`, in the same
 * pino stream as everything else): method, URL without query values, status, response time, the
 * client's address (as the guest rules see it). No header is logged (Authorization, cookies).
 * Levels: debug for /healthz and /metrics, error for a 5xx, info otherwise. The signaling
 * (socket.io) and board (/collab) WebSockets are not HTTP requests of express: their own loggers
 * tell their story.
 */
export function accessLog(log: Logger): RequestHandler {
  return pinoHttp({
    logger: log.child({ name: 'access' }),
    quietReqLogger: true,
    customAttributeKeys: { responseTime: 'ms' },
    serializers: {
      req: (req: { id?: unknown; method?: string; raw: IncomingMessage }) => ({
        id: req.id,
        method: req.method,
        url: loggableUrl(req.raw.url),
        remoteAddress: clientAddress(req.raw),
      }),
      res: (res: { statusCode?: number }) => ({ statusCode: res.statusCode }),
    },
    customLogLevel: (req: IncomingMessage, res: ServerResponse, error?: Error) => {
      if (PROBE_PATHS.has(pathOf(req))) return 'debug';
      if (error || res.statusCode >= 500) return 'error';
      return 'info';
    },
  }) as unknown as RequestHandler;
}
