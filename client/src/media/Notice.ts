import type { ErrorParams, ErrorPayload } from '@nomades/shared';

/**
 * Something to tell the user, as a code and its values: below client/src/ui nothing builds
 * sentences; the UI turns a notice into words in the agent's language (common:notice.<code>).
 */
export type NoticeCode =
  /** A host changed our role. */
  | 'roleAttendee'
  | 'roleSpeaker'
  /** A host muted our microphone or stopped our camera or screen: params { source, locked }. */
  | 'mutedByHost'
  /** Our microphone could not be muted, or unmuted: cause. */
  | 'micMuteFailed'
  | 'micUnmuteFailed'
  /** Screen sharing did not start (refused or cancelled in the browser's dialog). */
  | 'screenShareFailed'
  /** A track could not be sent: params { source }, cause. */
  | 'sendFailed'
  /** A device stopped working during the meeting: params { source }. */
  | 'trackEnded'
  /** getUserMedia failed: permission denied, no device, device taken, page not secure, other. */
  | 'mediaDenied'
  | 'mediaNotFound'
  | 'mediaInUse'
  | 'mediaInsecure'
  | 'mediaUnavailable'
  /** A request failed with the server's (or the client's) error: cause. */
  | 'requestFailed'
  /** The background effect was turned off: too slow on this computer, or it could not start. */
  | 'backgroundTooSlow'
  | 'backgroundFailed'
  /** DISK-1: the room's recording could not start (the recordings' disk is low). */
  | 'recordingRefused';

export interface Notice {
  code: NoticeCode;
  params?: ErrorParams;
  /** The error behind it, translated by its code. */
  cause?: ErrorPayload;
}
