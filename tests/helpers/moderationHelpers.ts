import type { Socket } from 'socket.io-client';
import type { NotificationData, NotificationName, RequestData } from '@nomades/shared';
import { connectSocket, request, RequestError } from './signalingClient.js';
import type { TestServer } from './testServer.js';

/** The code a request was refused with, or 'accepted'. */
export async function outcome(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return 'accepted';
  } catch (error) {
    return error instanceof RequestError ? error.error.code : `other error: ${String(error)}`;
  }
}

/** Signaling-only RTP parameters the router accepts (no real media flows: enough for rights). */
export function fakeRtp(kind: 'audio' | 'video', ssrc: number): RequestData<'produce'>['rtpParameters'] {
  const codec =
    kind === 'audio'
      ? { mimeType: 'audio/opus', payloadType: 111, clockRate: 48000, channels: 2, parameters: {}, rtcpFeedback: [] }
      : { mimeType: 'video/VP8', payloadType: 96, clockRate: 90000, parameters: {}, rtcpFeedback: [] };
  return { mid: String(ssrc), codecs: [codec], headerExtensions: [], encodings: [{ ssrc }], rtcp: { cname: `c${ssrc}` } };
}

/** A signaling-only participant: a socket plus the notifications it received. */
export class SigPeer {
  readonly notes: Array<{ name: string; data: unknown }> = [];
  peerId = '';
  sendTransportId = '';
  private constructor(readonly socket: Socket) {
    socket.onAny((name: string, data: unknown) => this.notes.push({ name, data }));
  }

  static async connect(srv: TestServer, roomId: string, token: string): Promise<SigPeer> {
    return new SigPeer(await connectSocket(srv.url, { token, roomId }));
  }

  static async join(srv: TestServer, roomId: string, name: string, role = 'participant'): Promise<SigPeer> {
    const peer = await SigPeer.connect(srv, roomId, await srv.mintToken(roomId, name, role));
    const joined = await request(peer.socket, 'join', {});
    peer.peerId = joined.peerId;
    return peer;
  }

  last<N extends NotificationName>(name: N): NotificationData<N> | undefined {
    for (let i = this.notes.length - 1; i >= 0; i--) if (this.notes[i].name === name) return this.notes[i].data as NotificationData<N>;
    return undefined;
  }

  count(name: NotificationName | 'closing'): number {
    return this.notes.filter((n) => n.name === name).length;
  }

  async produce(source: 'microphone' | 'camera' | 'screen', ssrc: number, paused = false): Promise<string> {
    if (!this.sendTransportId) this.sendTransportId = (await request(this.socket, 'createTransport', { direction: 'send' })).id;
    const kind = source === 'microphone' ? 'audio' : 'video';
    const { producerId } = await request(this.socket, 'produce', { transportId: this.sendTransportId, kind, rtpParameters: fakeRtp(kind, ssrc), source, paused });
    return producerId;
  }

  close(): void {
    this.socket.close();
  }
}

/** Admin API call with the test server's admin key; answers `status code` (code of the error, or 'ok'). */
export async function admin(srv: TestServer, method: string, path: string, body?: unknown): Promise<{ status: number; code: string; json: any }> {
  const res = await fetch(`${srv.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${srv.adminKey}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  const json = text ? JSON.parse(text) : null;
  return { status: res.status, code: json?.error?.code ?? 'ok', json };
}
