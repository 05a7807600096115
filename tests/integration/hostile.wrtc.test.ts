import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { exitAfterRun } from '../helpers/exitAfterRun.js';
import { admin, fakeRtp, outcome, SigPeer } from '../helpers/moderationHelpers.js';
import { rawRequest, request } from '../helpers/signalingClient.js';
import { startTestServer, type TestServer } from '../helpers/testServer.js';
import { sleep, waitFor } from '../helpers/waitFor.js';
import { WrtcBot } from '../helpers/WrtcBot.js';

/**
 * MOD-7 and SIG-3/4 against clients that skip the UI: forged moderation commands from a
 * participant and an attendee, produce as an attendee, cross-room ids, oversized payloads and
 * floods. Every one is refused with a clear code, the meeting (real media) goes on, the server stays up.
 */
interface Ctx {
  srv?: TestServer;
  roomId: string;
  host?: WrtcBot;
  speaker?: WrtcBot;
  peers: SigPeer[];
}
const hostile = suite<Ctx>('hostile clients', { roomId: '', peers: [] });

hostile.before(async (ctx) => {
  ctx.srv = await startTestServer();
  ctx.roomId = (await ctx.srv.createRoom({ name: 'target' })).id;
  ctx.host = new WrtcBot('Host');
  ctx.speaker = new WrtcBot('Speaker');
  await ctx.host.join(ctx.srv.url, ctx.roomId, await ctx.srv.mintToken(ctx.roomId, 'Host', 'host'));
  await ctx.speaker.join(ctx.srv.url, ctx.roomId, await ctx.srv.mintToken(ctx.roomId, 'Speaker'));
  await waitFor('media both ways', () => videoFrom(ctx.host!, ctx.speaker!) > 3 && videoFrom(ctx.speaker!, ctx.host!) > 3, 20_000);
});
hostile.after(async (ctx) => {
  for (const p of ctx.peers) p.close();
  ctx.host?.close();
  ctx.speaker?.close();
  await ctx.srv?.close();
});

function videoFrom(receiver: WrtcBot, sender: WrtcBot): number {
  return receiver.tracksFrom(sender.peerId).filter((t) => t.kind === 'video').reduce((n, t) => n + t.frames, 0);
}
async function meetingGoesOn(ctx: Ctx): Promise<void> {
  const a = videoFrom(ctx.host!, ctx.speaker!);
  const b = videoFrom(ctx.speaker!, ctx.host!);
  await sleep(600);
  assert.ok(videoFrom(ctx.host!, ctx.speaker!) > a && videoFrom(ctx.speaker!, ctx.host!) > b, 'both still decode each other');
  const info = (await admin(ctx.srv!, 'GET', `/api/rooms/${ctx.roomId}/participants`)).json;
  const speaker = info.peers.find((p: { id: string }) => p.id === ctx.speaker!.peerId);
  assert.ok(speaker, 'the speaker was not removed');
  assert.ok(speaker.producers.every((p: { paused: boolean }) => !p.paused), 'nor muted');
  assert.is(info.controls.locked, false);
  assert.is(info.controls.lobbyEnabled, false);
  assert.is((await fetch(`${ctx.srv!.url}/healthz`)).status, 200);
}

for (const role of ['participant', 'attendee'] as const) {
  hostile(`forged moderation commands from a ${role} are FORBIDDEN and change nothing`, async (ctx) => {
    const srv = ctx.srv!;
    const m = await SigPeer.join(srv, ctx.roomId, `Mallory the ${role}`, role);
    ctx.peers.push(m);
    const victim = ctx.speaker!.peerId;
    const forged: Array<[string, unknown]> = [
      ['muteParticipant', { peerId: victim, source: 'microphone', lock: true }],
      ['muteParticipant', { peerId: ctx.host!.peerId, source: 'camera' }],
      ['unlockParticipant', { peerId: m.peerId, source: 'microphone' }],
      ['muteAll', { lock: true }],
      ['removeParticipant', { peerId: victim }],
      ['removeParticipant', { peerId: ctx.host!.peerId }],
      ['setRoomLock', { locked: true }],
      ['setLobby', { enabled: true }],
      ['admitFromLobby', { id: 'guess' }],
      ['refuseFromLobby', { id: 'guess' }],
      ['setRole', { peerId: m.peerId, role: 'participant' }],
      ['setHand', { raised: true, peerId: victim }],
      ['setHand', { raised: false, peerId: victim }],
    ];
    for (const [name, data] of forged) assert.is(await outcome(request(m.socket, name as 'muteAll', data as never)), 'FORBIDDEN', name);
    // Claiming more than the schema allows is refused before any right is looked at.
    assert.is(await outcome(request(m.socket, 'setRole', { peerId: m.peerId, role: 'host' as never })), 'BAD_REQUEST');
    const extra = (await rawRequest(m.socket, 'muteAll', { lock: true, asHost: true })) as { error?: { code: string } };
    assert.is(extra.error?.code, 'BAD_REQUEST', 'unknown fields are refused');
    if (role === 'attendee') {
      for (const [source, kind, paused] of [['microphone', 'audio', true], ['camera', 'video', false], ['screen', 'video', false]] as const) {
        assert.is(await outcome(m.produce(source, 7000 + source.length, paused)), 'FORBIDDEN', `produce ${source}`);
      }
      // Its own hand it may raise.
      assert.is(await outcome(request(m.socket, 'setHand', { raised: true })), 'accepted');
    }
    await meetingGoesOn(ctx);
  });
}

hostile('a host of another room cannot reach this room: its peer ids answer NOT_FOUND', async (ctx) => {
  const srv = ctx.srv!;
  const other = await srv.createRoom({ name: 'elsewhere' });
  const h = await SigPeer.join(srv, other.id, 'Other host', 'host');
  ctx.peers.push(h);
  for (const [name, data] of [
    ['muteParticipant', { peerId: ctx.speaker!.peerId, source: 'microphone', lock: true }],
    ['removeParticipant', { peerId: ctx.speaker!.peerId }],
    ['setRole', { peerId: ctx.speaker!.peerId, role: 'attendee' }],
    ['setHand', { raised: false, peerId: ctx.speaker!.peerId }],
  ] as const) {
    assert.is(await outcome(request(h.socket, name as 'muteAll', data as never)), 'NOT_FOUND', name);
  }
  assert.is((await request(h.socket, 'muteAll', {})).muted, 0, 'mute everyone acts on its own room only');
  await meetingGoesOn(ctx);
});

hostile('oversized and malformed moderation payloads: PAYLOAD_TOO_LARGE / BAD_REQUEST; a flood ends the flooder only', async (ctx) => {
  const srv = ctx.srv!;
  const m = await SigPeer.join(srv, ctx.roomId, 'Flooder', 'attendee');
  ctx.peers.push(m);
  const code = async (name: string, data: unknown) => ((await rawRequest(m.socket, name, data)) as { error?: { code: string } }).error?.code;
  assert.is(await code('removeParticipant', { peerId: 'x'.repeat(100_000) }), 'PAYLOAD_TOO_LARGE');
  assert.is(await code('removeParticipant', { peerId: 'x'.repeat(65) }), 'BAD_REQUEST');
  assert.is(await code('muteParticipant', { peerId: ctx.speaker!.peerId, source: 'keyboard' }), 'BAD_REQUEST');
  assert.is(await code('setHand', { raised: 'yes' }), 'BAD_REQUEST');
  assert.is(await code('setRoomLock', {}), 'BAD_REQUEST');
  assert.is(await code('admitFromLobby', { id: ['a'] }), 'BAD_REQUEST');
  assert.is(await code('produce', { transportId: 'x', kind: 'video', source: 'camera', rtpParameters: fakeRtp('video', 1) }), 'FORBIDDEN');

  // 700 forged commands as fast as possible: only FORBIDDEN / RATE_LIMITED, then the session is ended.
  const closing = new Promise<string>((resolve) => m.socket.once('closing', (d: { error: { code: string } }) => resolve(d.error.code)));
  const acks = await Promise.all(
    Array.from({ length: 700 }, (_, i) =>
      rawRequest(m.socket, i % 2 ? 'muteAll' : 'removeParticipant', i % 2 ? {} : { peerId: ctx.speaker!.peerId }, 5000).catch(() => ({ error: { code: 'NO_ANSWER' } })),
    ),
  );
  const codes = new Set(acks.map((a) => (a as { error?: { code: string } }).error?.code ?? 'accepted'));
  assert.ok([...codes].every((c) => ['FORBIDDEN', 'RATE_LIMITED', 'NO_ANSWER'].includes(c)), `only refusals: ${[...codes]}`);
  assert.ok(codes.has('RATE_LIMITED'));
  assert.is(await Promise.race([closing, sleep(5000).then(() => 'still open')]), 'RATE_LIMITED');
  await meetingGoesOn(ctx);
});

hostile('a lobby flood is bounded: past 100 waiting, the next knock is ROOM_FULL; the host is not flooded with more', async (ctx) => {
  const srv = ctx.srv!;
  const { id } = await srv.createRoom({ name: 'popular' });
  const host = await SigPeer.join(srv, id, 'Host', 'host');
  ctx.peers.push(host);
  await request(host.socket, 'setLobby', { enabled: true });
  // 101 identities: one identity holds one lobby entry (LOBBY-6) and at most 4 sockets (SIG-11).
  const tokens = await Promise.all(Array.from({ length: 101 }, async (_, i) => (await srv.server.tokens.mint({ roomId: id, name: `Crowd ${i}`, role: 'participant' })).token));
  const knockers = await Promise.all(tokens.map((token) => SigPeer.connect(srv, id, token)));
  ctx.peers.push(...knockers);
  const codes = await Promise.all(knockers.map((k) => outcome(request(k.socket, 'join', {}))));
  assert.is(codes.filter((c) => c === 'IN_LOBBY').length, 100);
  assert.is(codes.filter((c) => c === 'ROOM_FULL').length, 1);
  await waitFor('the host sees 100 waiting', () => host.last('roomControls')?.lobby.length === 100);
  for (const k of knockers) k.close();
  await waitFor('the lobby empties when they leave', () => host.last('roomControls')?.lobby.length === 0, 10_000);
  await meetingGoesOn(ctx);
});

exitAfterRun(hostile);
