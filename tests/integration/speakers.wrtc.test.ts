import * as assert from 'uvu/assert';
import type { NotificationData } from '@nomades/shared';
import { exitAfterRun } from '../helpers/exitAfterRun.js';
import { roundTrip } from '../helpers/signalingClient.js';
import { waitFor } from '../helpers/waitFor.js';
import { controlAdvances, WrtcBot } from '../helpers/WrtcBot.js';
import { joinBot, wrtcSuite } from '../helpers/wrtcSuite.js';

/** Active speaker and audio levels from the router's observers, sent to everyone. */
const speakers = wrtcSuite('speakers');

speakers('the one who speaks is the active speaker and the only one audible', async (ctx) => {
  const srv = ctx.srv!;
  const { id } = await srv.createRoom();
  const bot = (name: string, amplitude: number) => joinBot(ctx, id, name, (b) => {
      b.toneAmplitude = amplitude;
    });
  const listener = await bot('listener', 0);
  const active: string[] = [];
  const levels: Array<NotificationData<'audioLevels'>['levels']> = [];
  listener.socket.on('activeSpeaker', (d: NotificationData<'activeSpeaker'>) => active.push(d.peerId));
  listener.socket.on('audioLevels', (d: NotificationData<'audioLevels'>) => levels.push(d.levels));
  const quiet = await bot('quiet', 0);
  const talker = await bot('talker', 12000);

  await waitFor('talker becomes the active speaker', () => active.at(-1) === talker.peerId, 15_000);
  const loud = await waitFor('talker audible in the levels', () => levels.find((l) => l.some((x) => x.peerId === talker.peerId)), 10_000);
  const talkerLevel = loud.find((x) => x.peerId === talker.peerId)!;
  assert.ok(talkerLevel.volume > -40, `talker's level ${talkerLevel.volume} dBov`);
  assert.not.ok(levels.flat().some((x) => x.peerId === quiet.peerId || x.peerId === listener.peerId), 'silent microphones never listed');
  // While every microphone is silent the observer may elect anyone; once the talker speaks, it
  // must keep the floor: the quiet one never takes it back.
  const since = active.indexOf(talker.peerId);
  assert.not.ok(active.slice(since).includes(quiet.peerId), `the quiet one never takes over: ${active.map((p) => (p === talker.peerId ? 'talker' : p === quiet.peerId ? 'quiet' : 'listener'))}`);

  // The talker leaves: levels fall silent.
  const count = levels.length;
  await talker.leave();
  await waitFor('silence after the talker left', () => levels.length > count && levels.at(-1)!.length === 0, 10_000);
});

speakers('SIG-10: a muted microphone is consumed on its first unmute, then paused and resumed with it', async (ctx) => {
  const srv = ctx.srv!;
  const { id } = await srv.createRoom();
  const serverPeer = (bot: WrtcBot) => [...srv.server.registry.get(id)!.peers()].find((p) => p.id === bot.peerId)!;
  const join = (name: string, muted: boolean) => joinBot(ctx, id, name, (b) => {
      b.micMuted = muted;
      b.publishVideo = false;
    });
  // A camera without a microphone: the listener's control stream for "nothing arrives" checks.
  const camera = await joinBot(ctx, id, 'camera', (b) => {
    b.micMuted = true;
  });
  const speaker = await join('speaker', true);
  const listener = await join('listener', false);
  const micId = [...serverPeer(speaker).media.producers.values()].find((p) => p.kind === 'audio')!.id;
  const consumesMic = (bot: WrtcBot) => [...serverPeer(bot).media.consumers.values()].some((c) => c.producerId === micId);
  const micAt = (bot: WrtcBot) => waitFor('the speaker\'s microphone consumed', () => bot.tracksFrom(speaker.peerId).find((t) => t.kind === 'audio'), 10_000);
  const control = await waitFor('the listener decodes the camera', () => listener.tracksFrom(camera.peerId).find((t) => t.kind === 'video' && t.frames > 0), 15_000);
  await roundTrip(listener.socket);
  assert.is(listener.tracksFrom(speaker.peerId).length, 0, 'a microphone muted from the start is not consumed');
  assert.not.ok(consumesMic(listener), 'no server consumer of it either');

  await speaker.setMicMuted(false);
  const mic = await micAt(listener);
  assert.not.ok(mic.paused);
  await waitFor('the voice arrives', async () => (await listener.bytesReceived(mic.consumerId)) > 4000, 10_000);

  await speaker.setMicMuted(true);
  await waitFor('paused again at the listener', () => mic.paused, 5000);
  const late = await join('late', false);
  await roundTrip(late.socket);
  assert.is(late.tracksFrom(speaker.peerId).length, 0, 'a late joiner does not consume the muted microphone');
  assert.not.ok(consumesMic(late), 'no server consumer of it either');
  await controlAdvances(control, 5, 'in-flight packets');
  const before = await listener.bytesReceived(mic.consumerId);
  await controlAdvances(control, 20, 'the camera while the microphone is muted');
  const whileMuted = (await listener.bytesReceived(mic.consumerId)) - before;
  assert.ok(whileMuted < 500, `no audio while muted again (${whileMuted} bytes)`);

  await speaker.setMicMuted(false);
  await waitFor('resumed at the listener', () => !mic.paused, 5000);
  await waitFor('and consumed by the late joiner', () => late.tracksFrom(speaker.peerId).some((t) => t.kind === 'audio'), 5000);
});

exitAfterRun(speakers);
