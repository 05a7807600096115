import { z } from 'zod';
import { roomModeSchema } from '../api.js';
import { roleSchema } from '../token.js';

/**
 * The events POSTed to WEBHOOK_URL (docs/spec/signaling.md, HOOK-n): one schema per event's
 * `data`, the envelope `{ id, type, createdAt, data }`, read by the server that sends them, the
 * tests, the OpenAPI document and receivers (`parseWebhookEnvelope`).
 */
export const webhookEventSchemas = {
  'room.started': z.object({ roomId: z.string(), name: z.string(), mode: roomModeSchema, startedAt: z.string() }),
  'room.ended': z.object({ roomId: z.string(), startedAt: z.string(), endedAt: z.string(), durationMs: z.number().int().nonnegative() }),
  'participant.joined': z.object({
    roomId: z.string(),
    peerId: z.string(),
    identity: z.string(),
    displayName: z.string(),
    role: roleSchema,
    guest: z.boolean(),
  }),
  'participant.left': z.object({
    roomId: z.string(),
    peerId: z.string(),
    identity: z.string(),
    displayName: z.string(),
    durationMs: z.number().int().nonnegative(),
  }),
  /** HOOK-5: the composed file is ready; `downloadPath` (admin key) is relative to the server's base URL. */
  'recording.ready': z.object({
    roomId: z.string(),
    recordingId: z.string(),
    startedAt: z.string(),
    endedAt: z.string().nullable(),
    durationMs: z.number().nonnegative(),
    sizeBytes: z.number().int().nonnegative(),
    downloadPath: z.string(),
  }),
  /** HOOK-5: a recording failed for good (REC-11: no recorder took it; or its recorder reported the failure); `error` says why. */
  'recording.failed': z.object({
    roomId: z.string(),
    recordingId: z.string(),
    error: z.string(),
    startedAt: z.string(),
    endedAt: z.string().nullable(),
    durationMs: z.number().nonnegative(),
  }),
  /** HOOK-5, RET-1, ROOM-7: a recording's file and row were deleted, by retention, by an administrator, or with its room. */
  'recording.deleted': z.object({
    roomId: z.string(),
    recordingId: z.string(),
    startedAt: z.string(),
    reason: z.enum(['retention', 'admin', 'room-deleted']),
    deletedAt: z.string(),
  }),
  /**
   * HOOK-5, CAP-6: a recording's captions were put (created or replaced: `cues` of them) or removed
   * (`cues: 0`), by the administrator or a host of its room, at `updatedAt`.
   */
  'recording.captions.updated': z.object({
    roomId: z.string(),
    recordingId: z.string(),
    cues: z.number().int().nonnegative(),
    updatedAt: z.string(),
    by: z.enum(['admin', 'host']),
  }),
} as const;

export type WebhookEventType = keyof typeof webhookEventSchemas;
export type WebhookEventMap = { [T in WebhookEventType]: z.infer<(typeof webhookEventSchemas)[T]> };
export const WEBHOOK_EVENT_TYPES = Object.keys(webhookEventSchemas) as WebhookEventType[];

/** The JSON body of one delivery; without a type argument, the union of every event's (narrowed by `type`). */
export type WebhookEnvelope<T extends WebhookEventType = WebhookEventType> = T extends WebhookEventType
  ? {
      /** The event's id: the same on every attempt and every endpoint (deduplicate on it). */
      id: string;
      type: T;
      createdAt: string;
      data: WebhookEventMap[T];
    }
  : never;

/** The envelope of any event, its `data` checked against its type's schema. */
export const webhookEnvelopeSchema = z.discriminatedUnion(
  'type',
  WEBHOOK_EVENT_TYPES.map((type) =>
    z.object({ id: z.string().min(1), type: z.literal(type), createdAt: z.string(), data: webhookEventSchemas[type] }),
  ) as unknown as [z.ZodDiscriminatedUnionOption<'type'>, ...z.ZodDiscriminatedUnionOption<'type'>[]],
);

/** Parses a delivery's body (a receiver's side); throws a ZodError when it is not a known event. */
export function parseWebhookEnvelope(body: unknown): WebhookEnvelope {
  return webhookEnvelopeSchema.parse(body) as WebhookEnvelope;
}

/** HOOK-6: a delivery given up after its last attempt, as `GET /api/webhooks/dead-letters` lists it. */
export const webhookDeadLetterSchema = z.object({
  /** The delivery's id (retry it with POST /api/webhooks/dead-letters/:id/retry). */
  id: z.string(),
  event: z.object({ id: z.string(), type: z.string(), createdAt: z.string() }),
  /** The endpoint, without credentials or query. */
  endpoint: z.string(),
  attempts: z.number().int(),
  error: z.string(),
  failedAt: z.string().nullable(),
});
export type WebhookDeadLetter = z.infer<typeof webhookDeadLetterSchema>;

export const webhookDeadLettersSchema = z.object({
  /** The newest first, at most WEBHOOK_LIMITS.deadLettersListed. */
  deadLetters: z.array(webhookDeadLetterSchema),
  total: z.number().int(),
});
export type WebhookDeadLetters = z.infer<typeof webhookDeadLettersSchema>;

export const WEBHOOK_LIMITS = {
  /** Dead letters one listing returns (the newest). */
  deadLettersListed: 100,
  /** Dead letters kept; beyond, the oldest are removed. */
  deadLettersKept: 10_000,
  /** Signatures older or newer than this are refused by verifyWebhookSignature (replay window). */
  signatureToleranceSeconds: 300,
} as const;
