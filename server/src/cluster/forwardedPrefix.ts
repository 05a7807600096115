import type http from 'node:http';

/**
 * The path prefix a front routed this connection through (X-Forwarded-Prefix, set by the
 * `/n/<node>/` blocks of docs/operations/nginx-nodes.conf), '' when none: a connection that
 * reached a node by the front's shared entry, or directly. Normalised like NODE_URL's path.
 */
export function forwardedPrefix(request: http.IncomingMessage): string {
  const header = request.headers['x-forwarded-prefix'];
  const value = Array.isArray(header) ? header[0] : header;
  return (value ?? '').trim().replace(/\/+$/, '');
}
