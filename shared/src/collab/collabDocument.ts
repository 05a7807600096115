import { z } from 'zod';
import { LIMITS } from '../limits.js';
import { roomIdSchema } from '../token.js';
import { COLLAB_LIMITS } from './collabLimits.js';

/** Path of the collaboration WebSocket (Hocuspocus) on the HTTP port. */
export const COLLAB_PATH = '/collab';

/**
 * One Yjs document per room, named `rooms/<roomId>`. Its root types:
 * - `board` (Y.Array of `{ key, val }`): the tldraw store mirrored by a YKeyValue (document-scope
 *   records; key = record id);
 * - `meta` (Y.Map): `schema`, the serialized tldraw schema the records follow;
 * - `chat` (Y.Array of ChatMessage): written by the server only, in order of arrival.
 */
export const COLLAB_ROOTS = { board: 'board', meta: 'meta', chat: 'chat' } as const;

export function collabDocumentName(roomId: string): string {
  return `rooms/${roomId}`;
}

/** The room id of a document name, or undefined when the name is not `rooms/<valid id>`. */
export function roomIdOfDocument(name: string): string | undefined {
  const match = /^rooms\/(.+)$/.exec(name);
  if (!match) return undefined;
  const parsed = roomIdSchema.safeParse(match[1]);
  return parsed.success ? parsed.data : undefined;
}

/**
 * A chat message as stored in the document (and returned by GET /api/rooms/:id/chat). Strict, and
 * checked wherever the chat is read (server and client): a record with other fields, unbounded
 * strings or a time that is not a plausible date is skipped, never shown (COL-13).
 */
export const chatMessageSchema = z
  .object({
    id: z.string().min(1).max(LIMITS.maxIdLength),
    /** The author's identity (`sub` of their token), set by the server. */
    authorId: z.string().min(1).max(LIMITS.maxIdLength * 2),
    /** The author's display name when they wrote it. */
    authorName: z.string().min(1).max(LIMITS.maxDisplayNameLength),
    text: z.string().min(1).max(COLLAB_LIMITS.maxChatMessageLength),
    /** Server time of reception, ms since the epoch, within COLLAB_LIMITS.chatTimeMin…chatTimeMax. */
    time: z.number().int().min(COLLAB_LIMITS.chatTimeMin).max(COLLAB_LIMITS.chatTimeMax),
  })
  .strict();
export type ChatMessage = z.infer<typeof chatMessageSchema>;

/** The presence a client publishes over awareness; the server checks `user` against the token. */
export interface CollabAwarenessState {
  user: { id: string; name: string; color: string };
  /** tldraw's instance_presence record (cursor, selection, camera), when the board is open. */
  presence?: { userId: string; userName: string; [key: string]: unknown };
}

/** GET /api/rooms/:id/board: a tldraw store snapshot (`schema` is null while the board is empty). */
export interface BoardSnapshot {
  store: Record<string, { id: string; typeName: string; [key: string]: unknown }>;
  schema: Record<string, unknown> | null;
}

/** GET /api/rooms/:id/chat */
export interface ChatHistory {
  messages: ChatMessage[];
}
