import * as assert from 'uvu/assert';
import { exitAfterRun } from '../helpers/exitAfterRun.js';
import { connectSocket, request, RequestError } from '../helpers/signalingClient.js';
import { TcpBlackhole } from '../helpers/TcpBlackhole.js';
import { waitFor } from '../helpers/waitFor.js';
import { controlAdvances, WrtcBot } from '../helpers/WrtcBot.js';
import { joinBot, wrtcSuite, type WrtcSuiteContext } from '../helpers/wrtcSuite.js';

/**
 * SIG-13 (docs/spec/signaling.md): a participant outlives its socket. Ada's signaling goes through
 * a relay that can be cut without a close (TcpBlackhole); her media goes straight to the SFU. A new
 * socket resumes her with the credential of her join: same peer id, producers and consumers, the
 * notifications she missed sent again; after the grace period she is gone and must join anew.
 */
const resume = wrtcSuite('resume', { RESUME_GRACE_MS: '30000' });
const holes: TcpBlackhole[] = [];
resume.after.each(() => {
  for (const h of holes.splice(0)) h.close();
});

async function adaThroughRelay(ctx: WrtcSuiteContext, roomId: string): Promise<{ ada: WrtcBot; hole: TcpBlackhole }> {
  const hole = await TcpBlackhole.start(ctx.srv!.url);
  holes.push(hole);
  const ada = new WrtcBot('Ada');
  ctx.bots.push(ada);
  await ada.join(hole.url, roomId, await ctx.srv!.mintToken(roomId, 'Ada'));
  return { ada, hole };
}

const video = (receiver: WrtcBot, sender: WrtcBot) =>
  waitFor(`${receiver.name} decodes ${sender.name}'s video`, () => receiver.tracksFrom(sender.peerId).find((t) => t.kind === 'video' && t.frames > 3), 15_000);

function serverPeer(ctx: WrtcSuiteContext, roomId: string, peerId: string) {
  return ctx.srv!.server.registry.get(roomId)?.getPeer(peerId);
}

resume('SIG-13: a resume before the server noticed the loss keeps ids, replays what was missed, and nobody saw a leave', async (ctx) => {
  const { id } = await ctx.srv!.createRoom();
  const { ada, hole } = await adaThroughRelay(ctx, id);
  const bob = await joinBot(ctx, id, 'Bob');
  const bobSeesAda = await video(bob, ada);
  const adaSeesBob = await video(ada, bob);
  const producersBefore = [...serverPeer(ctx, id, ada.peerId)!.media.producers.keys()].sort();
  const adaConsumers = [...ada.remote.keys()].sort();

  hole.cut();
  // While Ada's socket is cut, Bob mutes: the notification goes into a dead socket.
  await bob.setMicMuted(true);
  const answer = await ada.resume(ctx.srv!.url);
  assert.is(answer.peerId, ada.peerId, 'same participant');
  assert.ok(answer.replayed >= 1, `the missed producerPaused was sent again (replayed ${answer.replayed})`);
  const bobMic = ada.tracksFrom(bob.peerId).find((t) => t.kind === 'audio');
  await waitFor("Ada's view of Bob's microphone is paused", () => bobMic?.paused === true, 5_000);

  assert.equal([...serverPeer(ctx, id, ada.peerId)!.media.producers.keys()].sort(), producersBefore, 'same producers on the server');
  assert.equal([...ada.remote.keys()].sort(), adaConsumers, 'same consumers');
  await controlAdvances(bobSeesAda, 20, "Bob's view of Ada after the resume");
  await controlAdvances(adaSeesBob, 20, "Ada's view of Bob after the resume");
  // An ordering barrier: a request answered on Bob's socket comes after every earlier notification.
  await request(bob.socket, 'setHand', { raised: false }).catch(() => undefined);
  assert.equal(bob.left, [], 'Bob never saw Ada leave');
  assert.ok(bob.peers.has(ada.peerId));
});

resume('SIG-13: after the server noticed (missed heartbeats) the others see "reconnecting", then the same peer back', async (ctx) => {
  const { id } = await ctx.srv!.createRoom();
  const { ada, hole } = await adaThroughRelay(ctx, id);
  const bob = await joinBot(ctx, id, 'Bob');
  const bobSeesAda = await video(bob, ada);
  hole.cut();
  await waitFor('Bob is told Ada is reconnecting', () => bob.reconnecting.has(ada.peerId), 20_000);
  assert.is(serverPeer(ctx, id, ada.peerId)?.connected, false, 'detached on the server');
  // She still holds her seat, and her media still flows to Bob while signaling is down.
  await controlAdvances(bobSeesAda, 10, "Bob's view of Ada while her signaling is down");
  await ada.resume(ctx.srv!.url);
  await waitFor('Bob is told Ada is back', () => !bob.reconnecting.has(ada.peerId), 5_000);
  assert.is(serverPeer(ctx, id, ada.peerId)?.connected, true);
  assert.equal(bob.left, [], 'no leave, no re-join');
  await controlAdvances(bobSeesAda, 10, "Bob's view of Ada after the resume");
});

resume('SIG-13: a wrong credential or another identity is refused RESUME_FAILED and the participant is still kept', async (ctx) => {
  const { id } = await ctx.srv!.createRoom();
  const { ada, hole } = await adaThroughRelay(ctx, id);
  await joinBot(ctx, id, 'Bob');
  hole.cut();
  const good = ada.resumeToken;
  const codeOf = (p: Promise<unknown>) => p.then(() => 'accepted', (e) => (e instanceof RequestError ? e.error.code : String(e)));
  ada.resumeToken = `${good.slice(0, -1)}${good.endsWith('A') ? 'B' : 'A'}`;
  assert.is(await codeOf(ada.resume(ctx.srv!.url)), 'RESUME_FAILED', 'wrong credential');
  // Another identity presenting Ada's peer id and credential.
  const eve = await connectSocket(ctx.srv!.url, { token: await ctx.srv!.mintToken(id, 'Eve'), roomId: id });
  try {
    assert.is(await codeOf(request(eve, 'resume', { peerId: ada.peerId, resumeToken: good, lastSeq: 0 })), 'RESUME_FAILED', 'another identity');
  } finally {
    eve.close();
  }
  ada.resumeToken = good;
  const answer = await ada.resume(ctx.srv!.url);
  assert.is(answer.peerId, ada.peerId, 'the right credential still works');
  assert.is.not(answer.resumeToken, good, 'and is rotated');
  ada.resumeToken = good;
  assert.is(await codeOf(ada.resume(ctx.srv!.url)), 'RESUME_FAILED', 'a spent credential does not work twice');
});

resume('SIG-13: a participant removed while away cannot resume', async (ctx) => {
  const { id } = await ctx.srv!.createRoom();
  const { ada, hole } = await adaThroughRelay(ctx, id);
  const host = await connectSocket(ctx.srv!.url, { token: await ctx.srv!.mintToken(id, 'Host', 'host'), roomId: id });
  try {
    await request(host, 'join', {});
    hole.cut();
    await request(host, 'removeParticipant', { peerId: ada.peerId });
    const code = await ada.resume(ctx.srv!.url).then(() => 'accepted', (e) => (e instanceof RequestError ? e.error.code : String(e)));
    assert.is(code, 'RESUME_FAILED');
    assert.is(serverPeer(ctx, id, ada.peerId), undefined, 'gone from the room');
  } finally {
    host.close();
  }
});

const short = wrtcSuite('resume after the grace period', { RESUME_GRACE_MS: '1500' });
short.after.each(() => {
  for (const h of holes.splice(0)) h.close();
});

short('SIG-13: after the grace period the participant has left; a resume is refused and a new join works', async (ctx) => {
  const { id } = await ctx.srv!.createRoom();
  const { ada, hole } = await adaThroughRelay(ctx, id);
  const bob = await joinBot(ctx, id, 'Bob');
  await video(bob, ada);
  hole.cut();
  await waitFor('Bob sees Ada leave after the grace period', () => bob.left.includes(ada.peerId), 25_000);
  assert.ok(bob.reconnecting.has(ada.peerId) || bob.left.includes(ada.peerId));
  const code = await ada.resume(ctx.srv!.url).then(() => 'accepted', (e) => (e instanceof RequestError ? e.error.code : String(e)));
  assert.is(code, 'RESUME_FAILED');
  const again = await joinBot(ctx, id, 'Ada');
  assert.is.not(again.peerId, ada.peerId, 'a new participant');
  await video(bob, again);
});

short.run();
exitAfterRun(resume);
