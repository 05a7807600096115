import crypto from 'node:crypto';
import type { onStatelessPayload } from '@hocuspocus/server';
import {
  AppError,
  COLLAB_LIMITS,
  COLLAB_ROOTS,
  can,
  collabClientMessageSchema,
  type ChatMessage,
  type CollabServerMessage,
} from '@nomades/shared';
import type { Logger } from '../logging/logger.js';
import type { CollabContext } from './CollabContext.js';

/** Transaction origin of the chat messages the server appends. */
export const CHAT_ORIGIN = Symbol('collab-chat');

/**
 * The chat's only writer. A client sends `chat.send` as a stateless message; the server checks
 * the schema (text 1…COLLAB_LIMITS.maxChatMessageLength characters after trimming), the right
 * `chat` of the token's role, the connection's chat rate (COLLAB_LIMITS.chatMessagesPerSecond,
 * burst chatBurst) and the document ceiling, then appends `{ id, authorId: sub, authorName:
 * name, text, time }` to the `chat` array and answers `chat.accepted`; otherwise `chat.refused`
 * with an error code. Authors therefore cannot be forged.
 *
 * COL-16: a retry is not posted twice. The same identity sending the same requestId with the same
 * text within COLLAB_LIMITS.chatRetryWindowMs (its answer was lost with its connection) gets
 * `chat.accepted` with the id of the message already posted. Another text under a used requestId
 * is a new message (a new client counts its requestIds from the start again).
 */
export class ChatChannel {
  /** Posts by document, identity and requestId, oldest first (a Map keeps insertion order). */
  readonly #recent = new Map<string, { digest: string; id: string; at: number }>();

  constructor(
    private readonly deps: {
      log: Logger;
      sizeOf: (documentName: string) => number;
      maxDocumentBytes: number;
      /** Settles once the document's changes so far are written (the message is acknowledged after). */
      stored: (documentName: string) => Promise<void>;
    },
  ) {}

  async handle({ connection, document, documentName, payload }: onStatelessPayload): Promise<void> {
    const context = connection.context as CollabContext;
    let requestId: string | null = null;
    try {
      if (!context.claims || !context.chatBucket) throw new AppError('UNAUTHORIZED', 'not authenticated');
      let json: unknown;
      try {
        json = JSON.parse(payload);
      } catch {
        throw new AppError('BAD_REQUEST', 'stateless messages are JSON');
      }
      if (json && typeof json === 'object' && typeof (json as { requestId?: unknown }).requestId === 'string') {
        requestId = (json as { requestId: string }).requestId.slice(0, 64);
      }
      const parsed = collabClientMessageSchema.safeParse(json);
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        throw new AppError('BAD_REQUEST', `${issue.path.join('.') || 'message'}: ${issue.message}`);
      }
      const { claims } = context;
      if (!can(claims.role, 'chat')) throw new AppError('FORBIDDEN', `the role ${claims.role} may not chat`);
      const key = `${documentName}\n${claims.sub}\n${parsed.data.requestId}`;
      const digest = crypto.createHash('sha256').update(parsed.data.text).digest('base64');
      const posted = this.#posted(key, digest);
      if (posted) {
        this.deps.log.debug({ doc: documentName, message: posted }, 'chat retry answered with the message already posted');
        return reply(connection, { type: 'chat.accepted', requestId: parsed.data.requestId, id: posted });
      }
      if (!context.chatBucket.take()) throw new AppError('RATE_LIMITED', 'too many chat messages, slow down');
      const message: ChatMessage = {
        id: crypto.randomUUID(),
        authorId: claims.sub,
        authorName: claims.name,
        text: parsed.data.text,
        time: Date.now(),
      };
      const bytes = Buffer.byteLength(JSON.stringify(message)) + 32;
      if (this.deps.sizeOf(documentName) + bytes > this.deps.maxDocumentBytes) {
        throw new AppError('PAYLOAD_TOO_LARGE', "the room's document is full");
      }
      document.transact(() => document.getArray<ChatMessage>(COLLAB_ROOTS.chat).push([message]), CHAT_ORIGIN);
      this.#remember(key, digest, message.id);
      await this.deps.stored(documentName);
      reply(connection, { type: 'chat.accepted', requestId: parsed.data.requestId, id: message.id });
    } catch (error) {
      const appError = error instanceof AppError ? error : new AppError('INTERNAL', 'chat failed');
      if (appError.code === 'INTERNAL') this.deps.log.error({ err: error, doc: documentName }, 'chat failed');
      else this.deps.log.debug({ doc: documentName, code: appError.code }, 'chat message refused');
      reply(connection, { type: 'chat.refused', requestId, error: appError.toPayload() });
    }
  }

  /** The id of the message already posted under `key` with this text within the retry window. */
  #posted(key: string, digest: string): string | undefined {
    const horizon = Date.now() - COLLAB_LIMITS.chatRetryWindowMs;
    for (const [k, entry] of this.#recent) {
      if (entry.at >= horizon) break;
      this.#recent.delete(k);
    }
    const entry = this.#recent.get(key);
    return entry?.digest === digest ? entry.id : undefined;
  }

  #remember(key: string, digest: string, id: string): void {
    this.#recent.delete(key);
    this.#recent.set(key, { digest, id, at: Date.now() });
    if (this.#recent.size > COLLAB_LIMITS.chatRetryEntries) this.#recent.delete(this.#recent.keys().next().value!);
  }
}

function reply(connection: onStatelessPayload['connection'], message: CollabServerMessage): void {
  connection.sendStateless(JSON.stringify(message));
}
