import crypto from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

/** 32 random bytes, base64url: a session id, a browser binding, a state (AUTH-1, AUTH-8). */
export const randomId = (): string => crypto.randomBytes(32).toString('base64url');
/** What the store keeps of a random id: its SHA-256, base64url. */
export const hashOf = (value: string): string => crypto.createHash('sha256').update(value).digest('base64url');
/** The shape of randomId(): anything else is not looked up. */
export const isRandomId = (value: string | undefined): value is string => typeof value === 'string' && /^[A-Za-z0-9_-]{43}$/.test(value);

/** `__Host-` prefixed under HTTPS (AUTH-8): no Domain, Path=/, Secure. */
export const cookieName = (base: string, secure: boolean): string => (secure ? `__Host-${base}` : base);

/** The value of one cookie of the request, if present once. */
export function readCookie(req: IncomingMessage, name: string): string | undefined {
  const header = req.headers.cookie;
  if (!header || header.length > 8192) return undefined;
  let found: string | undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq === -1 || part.slice(0, eq).trim() !== name) continue;
    if (found !== undefined) return undefined; // twice: a cookie planted beside ours; trust neither
    found = part.slice(eq + 1).trim();
  }
  return found;
}

/** A `Set-Cookie` value: HttpOnly, SameSite=Lax (the provider's redirect is a cross-site navigation), Path=/. */
export function setCookie(name: string, value: string, options: { maxAgeS: number; secure: boolean }): string {
  return `${name}=${value}; Path=/; HttpOnly; SameSite=Lax; Max-Age=${Math.max(0, Math.floor(options.maxAgeS))}${options.secure ? '; Secure' : ''}`;
}

export const clearCookie = (name: string, secure: boolean): string => setCookie(name, '', { maxAgeS: 0, secure });

/** Adds a Set-Cookie header beside those already set. */
export function appendCookie(res: ServerResponse, cookie: string): void {
  const previous = res.getHeader('set-cookie');
  const list = previous === undefined ? [] : Array.isArray(previous) ? previous : [String(previous)];
  res.setHeader('set-cookie', [...list, cookie]);
}
