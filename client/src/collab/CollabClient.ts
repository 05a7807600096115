import { HocuspocusProvider, HocuspocusProviderWebsocket } from '@hocuspocus/provider';
import * as Y from 'yjs';
import {
  COLLAB_CLOSE_CODES,
  nodeEndpoints,
  COLLAB_ROOTS,
  can,
  chatMessageSchema,
  collabDocumentName,
  collabServerMessageSchema,
  errorCodeSchema,
  type ChatMessage,
  type CollabAwarenessState,
  type ErrorCode,
  type ErrorPayload,
} from '@nomades/shared';
import { TypedEmitter } from '../media/TypedEmitter';
import { claimsOfToken, type VisibleClaims } from './claimsOfToken';

export type CollabStatus = 'connecting' | 'synced' | 'offline' | 'refused';

/** Immutable snapshot for useSyncExternalStore. */
export interface CollabSnapshot {
  status: CollabStatus;
  /** Why the server refused or closed us (a COLLAB_CLOSE_CODES name and a reason), if it did. */
  /** Why the board and chat were refused (the server's error code; the UI says it in words). */
  problem: ErrorCode | null;
  /** The board is read-only for this role (the server enforces it). */
  readOnly: boolean;
  messages: readonly ChatMessage[];
}

interface CollabEvents extends Record<string, unknown[]> {
  change: [];
}

/** Close codes after which reconnecting would only be refused again. */
const FINAL_CODES = new Set<number>([
  COLLAB_CLOSE_CODES.DOCUMENT_TOO_LARGE,
  COLLAB_CLOSE_CODES.FORBIDDEN_UPDATE,
  COLLAB_CLOSE_CODES.UNAUTHORIZED,
  COLLAB_CLOSE_CODES.ROOM_DELETED,
]);

/**
 * The room's whiteboard and chat document (Hocuspocus provider on /collab, authenticated with the
 * room token). Owns the Y.Doc, the socket and the awareness; the board panel binds tldraw to
 * `doc`/`awareness`. Chat messages are asked of the server (`sendChat`), never written locally.
 * close() is idempotent.
 */
export class CollabClient extends TypedEmitter<CollabEvents> {
  readonly doc = new Y.Doc();
  readonly user: VisibleClaims & { color: string };
  readonly #socket: HocuspocusProviderWebsocket;
  readonly provider: HocuspocusProvider;
  readonly #pending = new Map<string, { resolve: () => void; reject: (e: ErrorPayload) => void }>();
  #snapshot: CollabSnapshot;
  #closed = false;
  #requestCounter = 0;

  /** `node`: the base URL of the node hosting the room (NODE-2), e.g. `window.location.origin`. */
  constructor({ node, roomId, token }: { node: string; roomId: string; token: string }) {
    super();
    const claims = claimsOfToken(token);
    this.user = { ...claims, color: colorOf(claims.id) };
    this.#snapshot = { status: 'connecting', problem: null, readOnly: !can(claims.role, 'board'), messages: [] };
    this.#socket = new HocuspocusProviderWebsocket({ url: nodeEndpoints(node).collabUrl });
    this.provider = new HocuspocusProvider({
      websocketProvider: this.#socket,
      name: collabDocumentName(roomId),
      token,
      document: this.doc,
      onSynced: () => this.#set({ status: 'synced', problem: null }),
      onAuthenticated: () => this.#set({ readOnly: this.provider.authorizedScope === 'readonly' }),
      onAuthenticationFailed: ({ reason }) => this.#fail(codeOfReason(reason, 'UNAUTHORIZED')),
      onStateless: ({ payload }) => this.#onStateless(payload),
    });
    this.#socket.on('close', ({ event }: { event: { code: number; reason: string } }) => {
      if (this.#closed) return;
      if (FINAL_CODES.has(event.code)) this.#fail(codeOfReason(String(event.reason), 'FORBIDDEN'));
      else if (this.#snapshot.status !== 'refused') this.#set({ status: 'offline' });
    });
    this.#dropAwarenessEchoes();
    this.provider.setAwarenessField('user', { id: this.user.id, name: this.user.name, color: this.user.color } satisfies CollabAwarenessState['user']);
    const chat = this.doc.getArray<unknown>(COLLAB_ROOTS.chat);
    chat.observe(() => this.#set({ messages: chat.toArray().flatMap((m) => (chatMessageSchema.safeParse(m).success ? [m as ChatMessage] : [])) }));
    this.provider.attach();
  }

  get awareness() {
    return this.provider.awareness!;
  }

  readonly getSnapshot = (): CollabSnapshot => this.#snapshot;
  readonly subscribe = (listener: () => void): (() => void) => this.on('change', listener);

  /** Asks the server to post `text`; resolves once accepted, rejects with the server's error. */
  sendChat(text: string): Promise<void> {
    if (this.#closed || this.#snapshot.status !== 'synced') {
      return Promise.reject({ code: 'UNAVAILABLE', message: 'the chat is not connected' } satisfies ErrorPayload);
    }
    // Unique across rejoins and tabs (the server takes a repeated id + text as a retry, COL-16);
    // getRandomValues, unlike randomUUID, also exists on plain-http intranet pages.
    const requestId = `c${++this.#requestCounter}-${randomSuffix()}`;
    return new Promise<void>((resolve, reject) => {
      this.#pending.set(requestId, { resolve, reject });
      this.provider.sendStateless(JSON.stringify({ type: 'chat.send', requestId, text }));
      setTimeout(() => {
        if (this.#pending.delete(requestId)) reject({ code: 'UNAVAILABLE', message: 'no answer from the server' } satisfies ErrorPayload);
      }, 10_000);
    });
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const p of this.#pending.values()) p.reject({ code: 'UNAVAILABLE', message: 'closed' });
    this.#pending.clear();
    this.provider.destroy();
    this.#stopReconnecting();
    this.#socket.destroy();
    this.doc.destroy();
    this.removeAllListeners();
  }

  #onStateless(payload: string): void {
    let parsed;
    try {
      parsed = collabServerMessageSchema.safeParse(JSON.parse(payload));
    } catch {
      return;
    }
    if (!parsed.success || parsed.data.requestId === null) return;
    const pending = this.#pending.get(parsed.data.requestId);
    if (!pending) return;
    this.#pending.delete(parsed.data.requestId);
    if (parsed.data.type === 'chat.accepted') pending.resolve();
    else pending.reject(parsed.data.error);
  }

  /**
   * The provider sends back every awareness change it receives (y-websocket does the same): in a
   * room of 50 that multiplies presence traffic by 50. Only local changes are sent here.
   */
  #dropAwarenessEchoes(): void {
    const { awareness } = this;
    awareness.off('update', this.provider.boundAwarenessUpdateHandler);
    awareness.on('update', (changes: { added: number[]; updated: number[]; removed: number[] }, origin: unknown) => {
      if (origin !== this.provider) this.provider.boundAwarenessUpdateHandler(changes, origin);
    });
  }

  #fail(problem: ErrorCode): void {
    this.#set({ status: 'refused', problem });
    // Reconnecting would be refused again: stop here.
    this.#stopReconnecting();
    this.#socket.disconnect();
  }

  /**
   * The provider's socket schedules a reconnection `delay` ms after a close, and `connect()`
   * re-enables connecting even after `destroy()` (Hocuspocus provider 3.4.4; `connect()` still sets shouldConnect in 4.7): neuter it.
   */
  #stopReconnecting(): void {
    this.#socket.shouldConnect = false;
    this.#socket.connect = async () => undefined;
  }

  #set(patch: Partial<CollabSnapshot>): void {
    if (this.#closed) return;
    this.#snapshot = { ...this.#snapshot, ...patch };
    this.emit('change');
  }
}

/** The server's refusals read `CODE: english detail` (server/src/collab/CollabServer.ts). */
function codeOfReason(reason: string, fallback: ErrorCode): ErrorCode {
  const code = /^([A-Z_]+):/.exec(reason)?.[1];
  if (code === 'ROOM_DELETED') return 'ROOM_NOT_FOUND'; // ROOM-7: the room no longer exists
  const parsed = errorCodeSchema.safeParse(code);
  return parsed.success ? parsed.data : fallback;
}

/** A stable colour per identity, for cursors and names. */
function colorOf(id: string): string {
  let hash = 0;
  for (const c of id) hash = (hash * 31 + c.charCodeAt(0)) >>> 0;
  return `hsl(${hash % 360} 70% 55%)`;
}

function randomSuffix(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(8));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}
