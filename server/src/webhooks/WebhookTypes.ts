import type { Role, RoomMode } from '@nomades/shared';

/** The events sent to WEBHOOK_URL and their `data` (docs/spec/signaling.md, HOOK-n). */
export interface WebhookEventMap {
  'room.started': { roomId: string; name: string; mode: RoomMode; startedAt: string };
  'room.ended': { roomId: string; startedAt: string; endedAt: string; durationMs: number };
  'participant.joined': { roomId: string; peerId: string; identity: string; displayName: string; role: Role; guest: boolean };
  'participant.left': { roomId: string; peerId: string; identity: string; displayName: string; durationMs: number };
  /** Sent by the recording side when a file is ready to download. */
  'recording.ready': { roomId: string; recordingId: string; [key: string]: unknown };
  /** A recording failed for good (REC-11: no recorder took it; or its recorder reported the failure); `error` says why. */
  'recording.failed': { roomId: string; recordingId: string; error: string; startedAt: string; endedAt: string | null };
}
export type WebhookEventType = keyof WebhookEventMap;

/** The JSON body of one delivery. */
export interface WebhookEnvelope<T extends WebhookEventType = WebhookEventType> {
  id: string;
  type: T;
  createdAt: string;
  data: WebhookEventMap[T];
}

export interface WebhookOptions {
  url?: string;
  secret?: string;
  /** Events kept waiting at most; beyond, the oldest is dropped (logged). */
  maxQueue?: number;
  /** Attempts per event, the first included. */
  maxAttempts?: number;
  /** First retry delay; doubles each time, capped by maxDelayMs. */
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** Deadline of one HTTP attempt. */
  timeoutMs?: number;
}
