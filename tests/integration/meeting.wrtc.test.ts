import * as assert from 'uvu/assert';
import { waitFor, sleep } from '../helpers/waitFor.js';
import { WrtcBot } from '../helpers/WrtcBot.js';
import { wrtcSuite } from '../helpers/wrtcSuite.js';
import { exitAfterRun } from '../helpers/exitAfterRun.js';

/**
 * Three real WebRTC participants (@roamhq/wrtc + mediasoup-client) through the real mediasoup
 * worker: each receives the other two's audio and video; when one leaves, the others'
 * consumers of it close and the server forgets it (no ghost).
 */
const meeting = wrtcSuite('meeting');

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
  const before = a.tracksFrom(b.peerId).find((r) => r.kind === 'video')!.frames;
  await sleep(1000);
  assert.ok(a.tracksFrom(b.peerId).find((r) => r.kind === 'video')!.frames > before, 'media goes on after the leave');
});

meeting('a participant whose connection drops is removed within seconds (no ghost)', async (ctx) => {
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
  const t0 = Date.now();
  await waitFor('Drop removed', () => !stay.peers.has(dropId) && stay.tracksFrom(dropId).length === 0, 10_000);
  assert.ok(Date.now() - t0 < 10_000);
  assert.is(srv.server.registry.get(id)!.peerCount, 1);
  stay.close();
  await waitFor('empty room closed', () => !srv.server.registry.get(id), 5_000);
});

exitAfterRun(meeting);
