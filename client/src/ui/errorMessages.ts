import type { ErrorCode } from '@nomades/shared';

/** Wire error codes as sentences for people (a code added later falls back to a generic one). */
const MESSAGES: Partial<Record<ErrorCode, string>> = {
  BAD_REQUEST: 'The server did not accept a request from this page. Reload it and try again.',
  PAYLOAD_TOO_LARGE: 'The server did not accept a request from this page. Reload it and try again.',
  UNSUPPORTED_MEDIA_TYPE: 'The server did not accept a request from this page. Reload it and try again.',
  UNKNOWN_REQUEST: 'This page is out of date. Reload it and try again.',
  UNAUTHORIZED: 'You are not allowed into this meeting.',
  TOKEN_MISSING: 'This link has no invitation. Ask the host for an invitation link.',
  TOKEN_INVALID: 'This invitation link is not valid. Ask the host for a new one.',
  TOKEN_EXPIRED: 'This invitation link has expired. Ask the host for a new one.',
  TOKEN_WRONG_ROOM: 'This invitation link is for another meeting.',
  FORBIDDEN: 'You are not allowed to do that in this meeting.',
  ROOM_LOCKED: 'The host has locked this meeting: nobody else can join for now.',
  REMOVED: 'A host removed you from this meeting.',
  LOBBY_REFUSED: 'A host did not let you into this meeting.',
  MEDIA_LOCKED: 'A host has muted you: you cannot unmute for now.',
  IN_LOBBY: 'You are waiting for a host to let you in.',
  GUEST_ACCESS_DISABLED: 'This meeting does not accept guests. Ask the host for an invitation link.',
  NOT_FOUND: 'This meeting does not exist. Check the link.',
  ROOM_NOT_FOUND: 'This meeting does not exist. Check the link.',
  NOT_JOINED: 'You are no longer in this meeting.',
  ALREADY_JOINED: 'You are already in this meeting in another window.',
  CONFLICT: 'That cannot be done right now. Try again.',
  ROOM_FULL: 'This meeting is full. Try again later.',
  RATE_LIMITED: 'Too many attempts. Wait a moment and try again.',
  JOIN_TIMEOUT: 'Joining took too long. Try again.',
  MEDIA_ERROR: 'The audio and video connection failed. Your network may block it.',
  INTERNAL: 'Something went wrong on the server. Try again.',
  UNAVAILABLE: 'The server cannot be reached. Check your connection and try again.',
};

export function describeError(code: ErrorCode): string {
  return MESSAGES[code] ?? 'Something went wrong. Try again.';
}
