import type http from 'node:http';
import type { Duplex } from 'node:stream';
import {
  Hocuspocus,
  type Document,
  type beforeHandleMessagePayload,
  type onAuthenticatePayload,
  type onDisconnectPayload,
  type onLoadDocumentPayload,
  type TransactionOrigin,
} from '@hocuspocus/server';
import { WebSocketServer } from 'ws';
import * as Y from 'yjs';
import {
  AppError,
  COLLAB_CLOSE_CODES,
  COLLAB_LIMITS,
  COLLAB_ROOTS,
  can,
  chatMessageSchema,
  collabDocumentName,
  roomIdOfDocument,
  type BoardSnapshot,
  type ChatMessage,
  type Role,
  type TokenClaims,
} from '@nomades/shared';
import type { TokenService } from '../auth/TokenService.js';
import type { Logger } from '../logging/logger.js';
import { TokenBucket } from '../signaling/TokenBucket.js';
import type { DocumentStore } from '../store/DocumentStore.js';
import type { RoomStore } from '../store/RoomStore.js';
import { AwarenessGuard } from './AwarenessGuard.js';
import { BOARD_RULES } from './boardRules.js';
import { CHAT_ORIGIN, ChatChannel } from './ChatChannel.js';
import { ConnectionLimits } from './ConnectionLimits.js';
import type { CollabContext } from './CollabContext.js';
import { CollabStore, LOAD_ORIGIN } from './CollabStore.js';
import { UpdateInspector } from './UpdateInspector.js';
import { MessageType, SyncType } from './messageTypes.js';
import { quietHocuspocusRefusals } from './quietHocuspocus.js';
import { SocketGuard } from './SocketGuard.js';
import { StoreHealth, type FaultSink, type StoreHealthReport } from './StoreHealth.js';
import { VarReader } from './VarReader.js';

export interface CollabServerOptions {
  tokens: TokenService;
  rooms: RoomStore;
  log: Logger;
  /** Where the documents are kept (the store layer's DocumentStore). */
  documents: DocumentStore;
  maxDocumentBytes: number;
  /**
   * Seam to the room's access rule (COL-12, RoomAccess.board): who may open a room's board and
   * chat, and with which role right now. Throws an AppError to refuse (removed, waiting in the lobby).
   */
  admission?: (roomId: string, claims: TokenClaims, request: http.IncomingMessage) => Promise<Role>;
  /** Where store failures are reported too (COL-14), e.g. the server's FaultLog behind `/healthz`. */
  faults?: FaultSink;
}

class Refusal {
  constructor(
    readonly code: number,
    readonly reason: string,
  ) {}
}

/**
 * The whiteboard and chat server: Hocuspocus on WebSocket upgrades to COLLAB_PATH, one
 * Yjs document per room (`rooms/<roomId>`), authenticated with the room token, persisted in
 * the store layer (CollabStore over a DocumentStore), guarded per socket (SocketGuard), per update (UpdateInspector +
 * BOARD_RULES), per awareness message (AwarenessGuard); the chat goes through ChatChannel.
 */
export class CollabServer {
  readonly hocuspocus: Hocuspocus;
  readonly #wss: WebSocketServer;
  readonly #store: CollabStore;
  readonly #opts: CollabServerOptions;
  readonly #log: Logger;
  readonly #awareness = new WeakMap<Y.Doc, AwarenessGuard>();
  readonly #loaded = new WeakSet<Y.Doc>();
  readonly #inspectors = new WeakMap<Y.Doc, UpdateInspector>();
  readonly #health: StoreHealth;
  readonly #connections = new ConnectionLimits();
  #slowConsumers = 0;
  #closing?: Promise<void>;

  constructor(opts: CollabServerOptions) {
    quietHocuspocusRefusals();
    this.#opts = opts;
    this.#log = opts.log.child({ name: 'collab' });
    this.#store = new CollabStore(opts.documents);
    this.#health = new StoreHealth(this.#log, opts.faults);
    this.#wss = new WebSocketServer({ noServer: true, maxPayload: COLLAB_LIMITS.maxMessageBytes });
    const chat = new ChatChannel({
      log: this.#log,
      sizeOf: (n) => this.#store.sizeOf(n),
      maxDocumentBytes: opts.maxDocumentBytes,
      stored: (n) => this.#store.stored(n),
    });
    this.hocuspocus = new Hocuspocus({
      quiet: true,
      onAuthenticate: (p) => this.#authenticate(p),
      onLoadDocument: async (p) => this.#load(p),
      beforeHandleMessage: async (p) => this.#beforeHandleMessage(p),
      onStateless: async (p) => chat.handle(p),
      // Runs from Hocuspocus' debounce timer: #compact never throws (COL-14).
      onStoreDocument: async ({ document, documentName }) => void (await this.#compact(documentName, document)),
      beforeUnloadDocument: async ({ document, documentName }) => {
        if (this.#store.closed || !(await this.#unstored(documentName))) return;
        // A document whose changes could not be written stays in memory (Hocuspocus keeps it on a throw).
        if (!(await this.#compact(documentName, document))) throw { reason: 'changes not stored; the document stays loaded' };
      },
      afterUnloadDocument: async ({ documentName }) => {
        this.#store.unloaded(documentName);
        this.#health.forget(documentName);
        this.#log.debug({ doc: documentName }, 'document unloaded');
      },
      onDisconnect: async ({ context, document }: onDisconnectPayload) => {
        const sender = (context as CollabContext).sender;
        if (sender) this.#awareness.get(document)?.release(sender.claimed);
      },
    });
  }

  /**
   * Takes a WebSocket upgrade to COLLAB_PATH (routed here by the server's UpgradeRouter, which has
   * already given the socket an error listener).
   */
  handleUpgrade(req: http.IncomingMessage, socket: Duplex, head: Buffer): void {
    if (this.#closing) return void socket.destroy();
    this.#wss.handleUpgrade(req, socket, head, (ws) => {
      const guard = new SocketGuard(ws, this.#log, {
        maxQueuedBytes: this.#opts.maxDocumentBytes + COLLAB_LIMITS.queueSlackBytes,
        onSlowConsumer: () => void (this.#slowConsumers += 1),
      });
      ws.on('error', (err) => this.#log.debug({ err }, 'collab socket error'));
      // Hocuspocus 4 takes the socket's messages and close from its integration (here, ws), and a
      // web-standard Request; the Node request stays in the context for the access rule.
      const client = this.hocuspocus.handleConnection(ws, webRequestOf(req), { guard, httpRequest: req } satisfies CollabContext);
      ws.on('message', (data: Buffer) => client.handleMessage(data));
      ws.on('close', (code: number, reason: Buffer) => client.handleClose({ code, reason: reason.toString() }));
    });
  }

  /** COL-14: whether every loaded document's changes are stored; failures since start and the last one. */
  get storeHealth(): StoreHealthReport {
    return this.#health.report;
  }

  /** Sockets closed because they did not read what they were sent (COL-15), since start. */
  get slowConsumersClosed(): number {
    return this.#slowConsumers;
  }

  /** Connections open on every document. */
  get connectionCount(): number {
    return this.hocuspocus.getConnectionsCount();
  }

  /** ACCESS-1: closes the sockets of `identity`'s connections to a room's document (REMOVED, 4410). */
  closeIdentity(roomId: string, identity: string, reason: 'REMOVED'): void {
    for (const connection of this.#connectionsOf(roomId)) {
      const ctx = connection.context as CollabContext;
      if (ctx.claims?.sub !== identity) continue;
      this.#log.info({ room: roomId, peer: identity }, 'collab connection closed: removed from the meeting');
      ctx.guard.close(COLLAB_CLOSE_CODES[reason], `${reason}: a host removed you from the meeting`);
    }
  }

  /** ACCESS-2: the live role of `identity` applies to its open connections (attendee → read-only). */
  applyRole(roomId: string, identity: string, role: Role): void {
    for (const connection of this.#connectionsOf(roomId)) {
      if ((connection.context as CollabContext).claims?.sub === identity) connection.readOnly = !can(role, 'board');
    }
  }

  /** ACCESS-7: closes every connection whose token has expired (TOKEN_EXPIRED, 4419). */
  closeExpired(nowSeconds: number): void {
    for (const document of this.hocuspocus.documents.values()) {
      for (const connection of (document as Document).getConnections()) {
        const ctx = connection.context as CollabContext;
        if (ctx.claims && ctx.claims.exp <= nowSeconds) ctx.guard.close(COLLAB_CLOSE_CODES.TOKEN_EXPIRED, 'TOKEN_EXPIRED: your token has expired');
      }
    }
  }

  /** AUTH-11/12: closes every connection whose token came from one of these sessions (SESSION_ENDED, 4411). */
  closeSessions(sids: ReadonlySet<string>): void {
    for (const document of this.hocuspocus.documents.values()) {
      for (const connection of (document as Document).getConnections()) {
        const ctx = connection.context as CollabContext;
        if (ctx.claims?.sid !== undefined && sids.has(ctx.claims.sid)) ctx.guard.close(COLLAB_CLOSE_CODES.SESSION_ENDED, 'SESSION_ENDED: your session ended');
      }
    }
  }

  #connectionsOf(roomId: string) {
    const document = this.hocuspocus.documents.get(collabDocumentName(roomId)) as Document | undefined;
    return document ? document.getConnections() : [];
  }

  /** The chat of a room, in order (from memory when the document is loaded, else from the store). */
  chatOf(roomId: string): Promise<ChatMessage[]> {
    return this.#read(roomId, (doc) =>
      doc
        .getArray(COLLAB_ROOTS.chat)
        .toArray()
        .flatMap((m) => {
          const parsed = chatMessageSchema.safeParse(m);
          return parsed.success ? [parsed.data] : [];
        }),
    );
  }

  /**
   * RET-2/RET-3: removes the chat messages of a room that `match` (GDPR: old ones, or one
   * identity's), returns how many. A loaded document is changed in place, so that its connected
   * clients receive the deletion, then stored whole (compacted: the log that held the texts is
   * replaced, and Yjs keeps no content of deleted items); a room not loaded is changed in the store.
   */
  async removeChat(roomId: string, match: (message: ChatMessage) => boolean): Promise<number> {
    const name = collabDocumentName(roomId);
    await this.hocuspocus.loadingDocuments.get(name)?.catch(() => undefined);
    const live = this.hocuspocus.documents.get(name);
    if (live && this.#loaded.has(live)) {
      const removed = removeChatMessages(live, match);
      if (removed > 0 && !(await this.#compact(name, live))) throw new AppError('INTERNAL', 'the chat was changed but could not be stored');
      return removed;
    }
    if (this.#store.closed) throw new AppError('INTERNAL', 'the collaboration store is closed');
    // On the document's write chain, queued in this tick: a load that starts later reads the result.
    return this.#store.rewrite(name, (copy) => removeChatMessages(copy, match));
  }

  /**
   * ROOM-7: removes a deleted room's board and chat. A loaded document has its connections closed
   * (ROOM_DELETED) and is unloaded without being stored, then the stored state and log go.
   */
  async deleteRoom(roomId: string): Promise<void> {
    const name = collabDocumentName(roomId);
    await this.hocuspocus.loadingDocuments.get(name)?.catch(() => undefined);
    const live = this.hocuspocus.documents.get(name) as Document | undefined;
    if (live) {
      this.#loaded.delete(live); // never stored again (#compact skips it)
      for (const connection of live.getConnections()) {
        (connection.context as CollabContext).guard.close(COLLAB_CLOSE_CODES.ROOM_DELETED, 'ROOM_DELETED: the room was deleted');
      }
      const deadline = Date.now() + 2_000;
      while (live.getConnectionsCount() > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      if (this.hocuspocus.documents.get(name) === live) {
        this.hocuspocus.documents.delete(name);
        live.destroy();
      }
    }
    if (this.#store.closed) throw new AppError('INTERNAL', 'the collaboration store is closed');
    await this.#store.delete(name);
    this.#health.forget(name);
    this.#log.info({ room: roomId }, 'board and chat deleted');
  }

  /** The rooms whose documents are stored (the retention sweep's list, RET-2). */
  async storedRooms(): Promise<string[]> {
    return (await this.#store.documentNames()).flatMap((name) => roomIdOfDocument(name) ?? []);
  }

  /** The board of a room as a tldraw store snapshot (YKeyValue semantics: the rightmost entry of a key wins). */
  boardOf(roomId: string): Promise<BoardSnapshot> {
    return this.#read(roomId, (doc) => {
      const store: BoardSnapshot['store'] = {};
      for (const entry of doc.getArray<{ key: string; val: BoardSnapshot['store'][string] }>(COLLAB_ROOTS.board).toArray()) {
        store[entry.key] = entry.val;
      }
      const schema = doc.getMap(COLLAB_ROOTS.meta).get('schema');
      return { store, schema: (schema as BoardSnapshot['schema']) ?? null };
    });
  }

  async #read<T>(roomId: string, read: (doc: Y.Doc) => T): Promise<T> {
    const name = collabDocumentName(roomId);
    const live = this.hocuspocus.documents.get(name);
    if (live && this.#loaded.has(live)) return read(live);
    const copy = await this.#store.read(name);
    try {
      return read(copy);
    } finally {
      copy.destroy();
    }
  }

  async #authenticate({ token, documentName, connectionConfig, context }: onAuthenticatePayload): Promise<Partial<CollabContext>> {
    const { guard, httpRequest } = context as CollabContext;
    try {
      const roomId = roomIdOfDocument(documentName);
      if (!roomId) throw new AppError('NOT_FOUND', 'documents are named rooms/<roomId>');
      const claims = await this.#opts.tokens.verify(token, roomId);
      if (!(await this.#opts.rooms.get(roomId))) throw new AppError('ROOM_NOT_FOUND', 'no such room');
      const role = (await this.#opts.admission?.(roomId, claims, httpRequest)) ?? claims.role;
      this.#connections.admit(roomId, claims.sub, guard);
      connectionConfig.readOnly = !can(role, 'board');
      guard.authSucceeded();
      this.#log.debug({ room: roomId, peer: claims.sub, readOnly: connectionConfig.readOnly }, 'collab authenticated');
      return {
        claims,
        roomId,
        sender: { id: claims.sub, name: claims.name, claimed: new Set() },
        chatBucket: new TokenBucket(COLLAB_LIMITS.chatMessagesPerSecond, COLLAB_LIMITS.chatBurst),
      };
    } catch (error) {
      const appError = error instanceof AppError ? error : new AppError('INTERNAL', 'authentication failed');
      if (appError.code === 'INTERNAL') this.#log.error({ err: error }, 'collab authentication failed');
      else this.#log.warn({ doc: documentName.slice(0, 80), code: appError.code }, 'collab authentication refused');
      guard.authFailed();
      // Hocuspocus sends `reason` in its permission-denied message (an Error would also be logged to the console).
      throw { reason: `${appError.code}: ${appError.message}` };
    }
  }

  async #load({ document, documentName }: onLoadDocumentPayload): Promise<void> {
    try {
      await this.#store.loadInto(documentName, document);
    } catch (error) {
      this.#log.error({ err: error, doc: documentName }, 'document could not be loaded; it stays closed and its data untouched');
      // Hocuspocus only unloads documents it has registered: free this one (its awareness timer) here.
      (document as Document).destroy();
      throw error;
    }
    document.getArray(COLLAB_ROOTS.board);
    document.getMap(COLLAB_ROOTS.meta);
    document.getArray(COLLAB_ROOTS.chat);
    const inspector = new UpdateInspector(document, BOARD_RULES);
    this.#inspectors.set(document, inspector);
    document.on('update', (update: Uint8Array, origin: unknown) => {
      // Queued in order on the document's write chain; acknowledgements wait for it (#beforeHandleMessage, chat).
      if (origin !== LOAD_ORIGIN && !this.#store.closed) void this.#health.run(documentName, 'append', () => this.#store.append(documentName, update));
      inspector.follow(update);
    });
    this.#awareness.set(document, new AwarenessGuard(document.awareness));
    this.#loaded.add(document);
    this.#log.debug({ doc: documentName, bytes: this.#store.sizeOf(documentName) }, 'document loaded');
  }

  /** Stores the whole document; false (logged, counted in storeHealth) when the store failed. Never rejects. */
  async #compact(name: string, document: Y.Doc): Promise<boolean> {
    // Never store a document whose load failed: it would replace the stored data.
    if (!this.#loaded.has(document) || this.#store.closed) return true;
    return this.#health.run(name, 'compact', () => this.#store.compact(name, document));
  }

  /** Whether `name` may have changes that are not in its stored state (a failed store counts). */
  async #unstored(name: string): Promise<boolean> {
    if (this.#health.isFailing(name)) return true;
    try {
      return (await this.#store.pendingUpdates(name)) > 0;
    } catch {
      return true; // the compaction that follows records the failure
    }
  }

  async #beforeHandleMessage({ connection, document, documentName, update, context }: beforeHandleMessagePayload): Promise<void> {
    const ctx = context as CollabContext;
    try {
      const reader = new VarReader(update);
      reader.varString();
      const type = reader.varUint();
      switch (type) {
        case MessageType.Sync:
        case MessageType.SyncReply: {
          const sub = reader.varUint();
          if (sub === SyncType.Step1) {
            // Answered with up to the whole document: read-only connections included, rate-limited (COL-15).
            ctx.syncBucket ??= new TokenBucket(COLLAB_LIMITS.syncRequestsPerSecond, COLLAB_LIMITS.syncRequestBurst);
            if (!ctx.syncBucket.take()) throw new Refusal(COLLAB_CLOSE_CODES.RATE_LIMITED, 'too many sync requests');
            return;
          }
          if (connection.readOnly) return;
          if (sub !== SyncType.Step2 && sub !== SyncType.Update) throw new Refusal(COLLAB_CLOSE_CODES.FORBIDDEN_UPDATE, 'unknown sync message');
          const yUpdate = reader.varUint8Array();
          if (this.#store.sizeOf(documentName) + yUpdate.byteLength > this.#opts.maxDocumentBytes) {
            throw new Refusal(COLLAB_CLOSE_CODES.DOCUMENT_TOO_LARGE, `the room's document would exceed ${this.#opts.maxDocumentBytes} bytes`);
          }
          const inspector = this.#inspectors.get(document);
          if (!inspector) throw new Refusal(COLLAB_CLOSE_CODES.FORBIDDEN_UPDATE, 'the document is not loaded');
          const problem = inspector.inspect(yUpdate);
          if (problem) throw new Refusal(COLLAB_CLOSE_CODES.FORBIDDEN_UPDATE, problem);
          // Written now, in the step that judged it (Hocuspocus' own apply that follows is a no-op),
          // with Hocuspocus 4's structured origin, so its hooks see the connection.
          inspector.commit(yUpdate, { source: 'connection', connection } satisfies TransactionOrigin);
          // Acknowledged (Hocuspocus answers once this hook settles) only when written: a failed
          // write is StoreHealth's (COL-14), the document then stays loaded until stored.
          await this.#store.stored(documentName);
          return;
        }
        case MessageType.Awareness: {
          const problem = ctx.sender ? this.#awareness.get(document)?.check(reader.varUint8Array(), ctx.sender) : 'not authenticated';
          if (problem) throw new Refusal(COLLAB_CLOSE_CODES.FORBIDDEN_UPDATE, problem);
          return;
        }
        case MessageType.Auth:
        case MessageType.QueryAwareness:
        case MessageType.Stateless:
        case MessageType.Close:
          return;
        default:
          throw new Refusal(COLLAB_CLOSE_CODES.FORBIDDEN_UPDATE, `message type ${type} is not accepted from clients`);
      }
    } catch (error) {
      const refusal = error instanceof Refusal ? error : new Refusal(COLLAB_CLOSE_CODES.FORBIDDEN_UPDATE, 'malformed message');
      const name = Object.entries(COLLAB_CLOSE_CODES).find(([, c]) => c === refusal.code)?.[0] ?? 'REFUSED';
      if (!ctx.guard.closed) {
        this.#log.warn({ room: ctx.roomId, peer: ctx.claims?.sub, code: refusal.code, reason: refusal.reason }, 'collab message refused');
        ctx.guard.close(refusal.code, `${name}: ${refusal.reason}`);
      }
      // Hocuspocus closes the document connection; `code`/`reason` only, so it is not logged as an Error.
      throw { code: refusal.code, reason: refusal.reason };
    }
  }

  /** Closes every socket, stores every loaded document, closes the store. Idempotent. */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      for (const ws of this.#wss.clients) ws.close(COLLAB_CLOSE_CODES.SHUTTING_DOWN, 'SHUTTING_DOWN: the server is stopping');
      const deadline = Date.now() + 2_000;
      while ((this.hocuspocus.getConnectionsCount() > 0 || this.hocuspocus.loadingDocuments.size > 0) && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 20));
      }
      for (const ws of this.#wss.clients) ws.terminate();
      for (const [name, document] of this.hocuspocus.documents) {
        await this.hocuspocus.debouncer.executeNow(`onStoreDocument-${name}`);
        await this.#compact(name, document);
        this.hocuspocus.documents.delete(name);
        (document as Document).destroy();
      }
      await new Promise<void>((resolve) => this.#wss.close(() => resolve()));
      await this.#store.close();
    })();
    return this.#closing;
  }
}

/** Deletes the chat entries that `match` (entries that are not valid messages stay), in one transaction of CHAT_ORIGIN. */
function removeChatMessages(doc: Y.Doc, match: (message: ChatMessage) => boolean): number {
  const chat = doc.getArray(COLLAB_ROOTS.chat);
  let removed = 0;
  doc.transact(() => {
    const entries = chat.toArray();
    for (let i = entries.length - 1; i >= 0; i--) {
      const parsed = chatMessageSchema.safeParse(entries[i]);
      if (parsed.success && match(parsed.data)) {
        chat.delete(i, 1);
        removed++;
      }
    }
  }, CHAT_ORIGIN);
  return removed;
}

/** The web-standard Request Hocuspocus 4 hands to its hooks (URL and headers of the upgrade). */
function webRequestOf(req: http.IncomingMessage): Request {
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (Array.isArray(value)) for (const v of value) headers.append(name, v);
    else if (value !== undefined) headers.set(name, value);
  }
  return new Request(new URL(req.url ?? '/', 'http://collab.invalid'), { headers });
}
