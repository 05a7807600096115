import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server, type Socket } from 'socket.io';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ClientError } from '../../client/src/media/ClientError.js';
import { SignalingClient } from '../../client/src/media/SignalingClient.js';
import { waitFor } from '../helpers/waitFor.js';

/**
 * The web client's SignalingClient over a real socket.io connection (SIG-13): notifications sent
 * as `emit(name, data, seq)` are handled once each, duplicates (seq ≤ lastSeq, as a resume's
 * replay may send) dropped, ephemeral ones (no seq) always handled; requests wait while held
 * (a recovery) and go once released; a lost connection fails the requests in flight at once.
 */
async function start(): Promise<{ io: Server; url: string; sockets: Socket[]; close: () => Promise<void> }> {
  const server = http.createServer();
  const io = new Server(server);
  const sockets: Socket[] = [];
  io.on('connection', (socket) => void sockets.push(socket));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { io, url, sockets, close: () => new Promise<void>((resolve) => io.close(() => resolve())) };
}

test('seq: each notification handled once, duplicates dropped, every handler called, ephemeral ones kept; resetSeq starts over', async () => {
  const srv = await start();
  const client = new SignalingClient({ url: srv.url, auth: { token: 't', roomId: 'r' }, timeoutMs: 2_000 });
  try {
    await client.connect();
    const socket = srv.sockets[0]!;
    const left: string[] = [];
    const alsoLeft: string[] = [];
    const levels: number[] = [];
    client.on('peerLeft', ({ peerId }) => void left.push(peerId));
    client.on('peerLeft', ({ peerId }) => void alsoLeft.push(peerId));
    client.on('audioLevels', ({ levels: l }) => void levels.push(l.length));
    socket.emit('peerLeft', { peerId: 'a' }, 1);
    socket.emit('peerLeft', { peerId: 'b' }, 2);
    socket.emit('audioLevels', { levels: [] });
    socket.emit('peerLeft', { peerId: 'a' }, 1); // replayed: already handled
    socket.emit('peerLeft', { peerId: 'b' }, 2);
    socket.emit('peerLeft', { peerId: 'c' }, 3);
    socket.emit('audioLevels', { levels: [] });
    await waitFor('c handled', () => left.includes('c'), 2_000, 10);
    assert.equal(left, ['a', 'b', 'c']);
    assert.equal(alsoLeft, ['a', 'b', 'c'], 'a second handler of the same notification sees each once too');
    assert.equal(levels, [0, 0]);
    assert.is(client.lastSeq, 3);
    client.resetSeq();
    socket.emit('peerLeft', { peerId: 'd' }, 1);
    await waitFor('d handled', () => left.includes('d'), 2_000, 10);
    assert.is(client.lastSeq, 1);
  } finally {
    client.close();
    await srv.close();
  }
});

test('held requests wait for release (join/resume do not); a lost connection fails requests in flight at once', async () => {
  const srv = await start();
  const client = new SignalingClient({ url: srv.url, auth: { token: 't', roomId: 'r' }, timeoutMs: 5_000 });
  try {
    await client.connect();
    const socket = srv.sockets[0]!;
    const received: string[] = [];
    socket.onAny((name: string, _data: unknown, ack: (answer: unknown) => void) => {
      received.push(name);
      if (name === 'resume') ack({ ok: true, data: { peerId: 'p', role: 'participant', resumeToken: 'a'.repeat(43), replayed: 0 } });
      if (name === 'leave') ack({ ok: true, data: {} });
    });
    client.hold();
    const leave = client.request('leave', {});
    const resume = await client.request('resume', { peerId: 'p', resumeToken: 'a'.repeat(43), lastSeq: 0 });
    assert.is(resume.peerId, 'p');
    assert.equal(received, ['resume'], 'leave waits while held; resume went');
    client.release();
    await leave;
    assert.equal(received, ['resume', 'leave']);

    // No answer to this one: the connection is lost while it waits.
    const pending = client.request('setHand', { raised: true });
    await waitFor('setHand reached the server', () => received.includes('setHand'), 2_000, 10);
    socket.disconnect(true);
    const error = await pending.then(() => null, (e: unknown) => e);
    assert.instance(error, ClientError);
    assert.is((error as ClientError).code, 'UNAVAILABLE');
    assert.match((error as ClientError).message, 'connection lost', 'failed by the loss, not by the request deadline');
    assert.not.ok(client.connected);
    // The same client connects again (MeetingSession's reconnection).
    await client.connect();
    assert.ok(client.connected);
    assert.is(srv.sockets.length, 2);
  } finally {
    client.close();
    await srv.close();
  }
});

test.run();
