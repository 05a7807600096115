import * as assert from 'uvu/assert';
import { waitFor, sleep } from '../helpers/waitFor.js';
import { TcpBlackhole } from '../helpers/TcpBlackhole.js';
import { WrtcBot } from '../helpers/WrtcBot.js';
import { wrtcSuite } from '../helpers/wrtcSuite.js';
import { exitAfterRun } from '../helpers/exitAfterRun.js';

/**
 * Three real WebRTC participants (@roamhq/wrtc + mediasoup-client) through the real mediasoup
 * worker: each receives the other two's audio and video; when one leaves, the others'
 * consumers of it close and the server forgets it (no ghost), whether it leaves, closes its
 * socket, or just goes silent (missed heartbeats: pingInterval 3 s + pingTimeout 3 s).
 */
// A short grace period (SIG-13) so that a cut participant is removed soon after it is detected.
const meeting = wrtcSuite('meeting', { RESUME_GRACE_MS: '1000' });

meeting('three participants each receive the two others, audio and video', async (ctx) => {
  const srv = ctx.srv!;
  const { id } = await srv.createRoom({ name: 'Weekly' });
  for (const name of ['Ada', 'Grace', 'Linus']) {
    const bot = new WrtcBot(name);
    ctx.bots.push(bot);
    await bot.join(srv.url, id, await srv.mintToken(id, name));
  }
  const [a, b, c] = ctx.bots;
  for (const bot of ctx.bots) {
    const others = ctx.bots.filter((o) => o !== bot);
    for (const other of others) {
      await waitFor(`${bot.name} has audio+video of ${other.name}`, () => bot.tracksFrom(other.peerId).length === 2, 15_000);
    }
  }
  // Frames and bytes must keep increasing: media really flows.
  const snapshot = async () =>
    Promise.all(
      ctx.bots.flatMap((bot) =>
        [...bot.remote.values()].map(async (r) => ({ key: `${bot.name}<-${r.peerId.slice(0, 6)}:${r.kind}`, frames: r.frames, bytes: await bot.bytesReceived(r.consumerId) })),
      ),
    );
  await waitFor('decoded video frames on every video consumer', () => ctx.bots.every((bot) => [...bot.remote.values()].every((r) => r.frames > 5)), 15_000);
  const first = await snapshot();
  await sleep(2000);
  const second = await snapshot();
  assert.is(first.length, 12, 'three participants × two others × (audio + video)');
  for (let i = 0; i < first.length; i++) {
    assert.ok(second[i].frames > first[i].frames, `${second[i].key}: frames increase (${first[i].frames} → ${second[i].frames})`);
    assert.ok(second[i].bytes > first[i].bytes, `${second[i].key}: bytes increase (${first[i].bytes} → ${second[i].bytes})`);
  }
  const video = [...a.remote.values()].filter((r) => r.kind === 'video');
  assert.ok(video.every((r) => r.frames >= 15), `at least a second of decoded video per stream: ${video.map((r) => r.frames)}`);

  // One leaves: the two others' consumers of it close, and it is gone from the room.
  const leaverId = c.peerId;
  await c.leave();
  for (const bot of [a, b]) {
    await waitFor(`${bot.name}'s consumers of the leaver closed`, () => bot.tracksFrom(leaverId).length === 0, 5_000);
    await waitFor(`${bot.name} saw peerLeft`, () => !bot.peers.has(leaverId), 5_000);
  }
  const room = srv.server.registry.get(id);
  assert.ok(room, 'room still open with two peers');
  assert.is(room!.peerCount, 2);
  // The two remaining still receive each other.
  const fromB = a.tracksFrom(b.peerId).find((r) => r.kind === 'video')!;
  const before = fromB.frames;
  await waitFor('media goes on after the leave', () => fromB.frames > before + 10, 5_000);
});

meeting('a participant whose socket closes without leave is removed (no ghost)', async (ctx) => {
  const srv = ctx.srv!;
  const { id } = await srv.createRoom();
  const stay = new WrtcBot('Stay');
  const drop = new WrtcBot('Drop');
  ctx.bots.push(stay, drop);
  await stay.join(srv.url, id, await srv.mintToken(id, 'Stay'));
  await drop.join(srv.url, id, await srv.mintToken(id, 'Drop'));
  await waitFor('Stay receives Drop', () => stay.tracksFrom(drop.peerId).length === 2, 15_000);
  const dropId = drop.peerId;
  drop.close(); // no leave request: the socket just closes
  await waitFor('Drop removed', () => !stay.peers.has(dropId) && stay.tracksFrom(dropId).length === 0, 10_000);
  assert.is(srv.server.registry.get(id)!.peerCount, 1);
  stay.close();
  await waitFor('empty room closed', () => !srv.server.registry.get(id), 5_000);
});

meeting('a participant whose connection is cut without any close is detached on missed heartbeats, then removed after the grace period; its producers close for the others', async (ctx) => {
  const srv = ctx.srv!;
  const { id } = await srv.createRoom();
  // Lost's signaling goes through a relay that can drop everything, FIN included; its media goes to the SFU directly.
  const relay = await TcpBlackhole.start(srv.url);
  try {
    const stay = new WrtcBot('Stay');
    const lost = new WrtcBot('Lost');
    ctx.bots.push(stay, lost);
    await stay.join(srv.url, id, await srv.mintToken(id, 'Stay'));
    await lost.join(relay.url, id, await srv.mintToken(id, 'Lost'));
    const lostId = lost.peerId;
    await waitFor('Stay decodes Lost', () => stay.tracksFrom(lostId).length === 2 && stay.tracksFrom(lostId).some((t) => t.kind === 'video' && t.frames > 3), 15_000);
    const fromLost = stay.tracksFrom(lostId);
    const serverPeer = [...srv.server.registry.get(id)!.peers()].find((p) => p.id === lostId)!;
    const producers = [...serverPeer.media.producers.values()];
    assert.is(producers.length, 2, 'Lost publishes a microphone and a camera');

    relay.cut();
    await waitFor('Stay told Lost is reconnecting (missed heartbeats, SIG-13)', () => stay.reconnecting.has(lostId), 20_000);
    await waitFor('Stay told Lost left (grace period over)', () => !stay.peers.has(lostId), 10_000);
    await waitFor("Stay's consumers of Lost closed", () => fromLost.every((t) => t.closed), 5_000);
    assert.ok(producers.every((p) => p.closed), "Lost's producers are closed on the server");
    assert.ok(serverPeer.media.closed, "Lost's transports are closed");
    assert.is(srv.server.registry.get(id)!.peerCount, 1);
    // Stay's own media path is untouched.
    assert.ok(!stay.closedBy && stay.socket.connected, 'Stay is still in the room');
  } finally {
    relay.close();
  }
});

exitAfterRun(meeting);
