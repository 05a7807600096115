import { authErrorCodeSchema, type AuthErrorCode } from '@nomades/shared';

/** AUTH-3 on this side: only a same-origin path (`/` then anything but `/` or `\`) is asked for; else home. */
export function safeReturnTo(path: string): string {
  return /^\/(?![/\\])/.test(path) ? path : '/';
}

/** `GET /auth/login?returnTo=…`: the server starts the login and comes back to `returnTo`. */
export function loginHref(returnTo: string): string {
  return `/auth/login?returnTo=${encodeURIComponent(safeReturnTo(returnTo))}`;
}

/** AUTH-14: the code of the error page's address (`/connexion/erreur?code=…`), null when unknown. */
export function authErrorOf(search: string): AuthErrorCode | null {
  const parsed = authErrorCodeSchema.safeParse(new URLSearchParams(search).get('code'));
  return parsed.success ? parsed.data : null;
}

/** Whether the error page offers to sign in again (the agent can do something) or to go home. */
export function retrySignIn(code: AuthErrorCode | null): boolean {
  return code !== 'not_allowed' && code !== 'not_configured';
}

export interface CalendarChoice {
  weekly: boolean;
  /** The first meeting's start. */
  start: Date;
  durationMin: number;
}

/** OWN-7: the room's invitation file (owners), with its recurrence when weekly. */
export function calendarHref(roomId: string, choice: CalendarChoice): string {
  const query = new URLSearchParams();
  if (choice.weekly) query.set('weekly', '1');
  query.set('start', choice.start.toISOString());
  query.set('durationMin', String(Math.round(choice.durationMin)));
  return `/api/rooms/${encodeURIComponent(roomId)}/calendar.ics?${query.toString()}`;
}

/** The value of an `<input type="datetime-local">` for `date` in local time (`2026-12-08T10:00`). */
export function localDateTimeValue(date: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

/** The next full hour after `now`: the default start of a calendar invitation. */
export function nextFullHour(now: Date): Date {
  const next = new Date(now);
  next.setMinutes(0, 0, 0);
  next.setHours(next.getHours() + 1);
  return next;
}
