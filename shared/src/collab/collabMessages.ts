import { z } from 'zod';
import { errorPayloadSchema } from '../errors.js';
import { COLLAB_LIMITS } from './collabLimits.js';

/**
 * Stateless messages of the collaboration channel (Hocuspocus `sendStateless`, JSON strings).
 * Clients never write the chat into the Yjs document: they ask the server with `chat.send`; the
 * server validates, stamps author and time, appends, and answers `chat.accepted` or `chat.refused`.
 */
export const chatSendSchema = z
  .object({
    type: z.literal('chat.send'),
    /** Chosen by the client to match the answer. */
    requestId: z.string().min(1).max(64),
    text: z
      .string()
      .trim()
      .min(1, 'the message is empty')
      .max(COLLAB_LIMITS.maxChatMessageLength, `a message is at most ${COLLAB_LIMITS.maxChatMessageLength} characters`),
  })
  .strict();
export type ChatSend = z.infer<typeof chatSendSchema>;

export const collabClientMessageSchema = z.discriminatedUnion('type', [chatSendSchema]);
export type CollabClientMessage = z.infer<typeof collabClientMessageSchema>;

export const collabServerMessageSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('chat.accepted'), requestId: z.string(), id: z.string() }),
  z.object({ type: z.literal('chat.refused'), requestId: z.string().nullable(), error: errorPayloadSchema }),
]);
export type CollabServerMessage = z.infer<typeof collabServerMessageSchema>;
