import { HocuspocusProvider, HocuspocusProviderWebsocket } from '@hocuspocus/provider';
import * as encoding from 'lib0/encoding';
import WebSocket from 'ws';
import { YKeyValue } from 'y-utility/y-keyvalue';
import * as Y from 'yjs';
import type { ChatMessage, CollabServerMessage } from '@nomades/shared';
import { waitFor } from './waitFor.js';

export type Record_ = { id: string; typeName: string; [k: string]: unknown };

/** One provider client of a room's document, recording what the server says. */
export class Client {
  readonly doc = new Y.Doc();
  readonly board: YKeyValue<Record_>;
  readonly socket: HocuspocusProviderWebsocket;
  readonly provider: HocuspocusProvider;
  readonly closes: Array<{ code: number; reason: string }> = [];
  readonly answers: CollabServerMessage[] = [];
  authFailure: string | null = null;
  authenticated = false;

  constructor(url: string, roomId: string, token: string) {
    this.board = new YKeyValue(this.doc.getArray('board'));
    this.socket = new HocuspocusProviderWebsocket({
      url: `${url.replace(/^http/, 'ws')}/collab`,
      WebSocketPolyfill: WebSocket,
      delay: 200,
      minDelay: 200,
      maxDelay: 500,
    });
    this.socket.on('close', ({ event }: { event: { code: number; reason: string } }) => this.closes.push({ code: event.code, reason: String(event.reason) }));
    this.provider = new HocuspocusProvider({
      websocketProvider: this.socket,
      name: `rooms/${roomId}`,
      token,
      document: this.doc,
      onAuthenticationFailed: ({ reason }) => (this.authFailure = reason),
      onAuthenticated: () => (this.authenticated = true),
      onStateless: ({ payload }) => this.answers.push(JSON.parse(payload) as CollabServerMessage),
    });
    this.provider.attach();
  }

  get chat(): ChatMessage[] {
    return this.doc.getArray<ChatMessage>('chat').toArray();
  }

  synced(): Promise<unknown> {
    return waitFor('provider synced', () => this.provider.isSynced || this.authFailure, 5_000, 20);
  }

  /** Sends chat.send and waits for the answer. */
  async say(text: string, requestId = `r${Math.random()}`): Promise<CollabServerMessage> {
    this.provider.sendStateless(JSON.stringify({ type: 'chat.send', requestId, text }));
    return waitFor(`answer to ${requestId}`, () => this.answers.find((a) => a.requestId === requestId), 5_000, 10);
  }

  /** The client id the server writes the chat with (that of the first chat message). */
  get serverClientId(): number {
    const first = this.doc.getArray('chat')._start;
    if (!first) throw new Error('no chat message yet');
    return first.id.client;
  }

  /**
   * Sends a Yjs update as it is, in a Sync Update frame on the provider's socket: a crafted update
   * reaches the server unchanged (applying it to `doc` would make the provider re-encode it).
   */
  sendRawUpdate(update: Uint8Array): void {
    this.sendRaw(syncFrame(this.provider.configuration.name, 2, update));
  }

  /** Sends bytes on the provider's socket. */
  sendRaw(bytes: Uint8Array): void {
    const ws = this.socket.webSocket as unknown as { send(b: Uint8Array): void } | null;
    if (!ws) throw new Error('the socket is not open');
    ws.send(bytes);
  }

  async closedWith(code: number): Promise<{ code: number; reason: string }> {
    return waitFor(`close ${code}`, () => this.closes.find((c) => c.code === code), 5_000, 10);
  }

  destroy(): void {
    this.provider.destroy();
    // A reconnection scheduled by a close would otherwise revive the destroyed socket (provider 3.4.4; connect() unchanged in 4.7).
    this.socket.connect = async () => undefined;
    this.socket.destroy();
  }
}

export const shape = (id: string, text = 'hello'): Record_ => ({
  id,
  typeName: 'shape',
  type: 'geo',
  x: 10,
  y: 20,
  rotation: 0,
  index: 'a1',
  parentId: 'page:page',
  isLocked: false,
  opacity: 1,
  meta: {},
  props: { w: 100, h: 80, geo: 'rectangle', text },
});

/** A Hocuspocus Sync frame: document name, message type 0 (Sync), sub-type (0 step 1, 1 step 2, 2 update), payload. */
export function syncFrame(documentName: string, subType: number, payload: Uint8Array): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeVarString(encoder, documentName);
  encoding.writeVarUint(encoder, 0);
  encoding.writeVarUint(encoder, subType);
  encoding.writeVarUint8Array(encoder, payload);
  return encoding.toUint8Array(encoder);
}
