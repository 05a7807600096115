import * as assert from 'uvu/assert';
import { Device, type types as msc } from 'mediasoup-client';
import type { Socket } from 'socket.io-client';
import { BATCH_LIMITS, LIMITS, type ResponseData } from '@nomades/shared';
import { exitAfterRun } from '../helpers/exitAfterRun.js';
import { connectSocket, rawRequest, request, RequestError, roundTrip } from '../helpers/signalingClient.js';
import { waitFor } from '../helpers/waitFor.js';
import type { WrtcBot } from '../helpers/WrtcBot.js';
import { joinBot, wrtcSuite, type WrtcSuiteContext } from '../helpers/wrtcSuite.js';
import '../helpers/wrtcGlobals.js';

/**
 * SIG-17 (docs/spec/signaling.md): `consumeMany` and `resumeConsumers`, the batches of a join into
 * a full room. Consumers created paused (SIG-5) and resumed by the client, limits and refusals as
 * for the single requests (SIG-3, SIG-6), SIG-10 kept, and a join costs a constant number of
 * requests instead of two per producer.
 */
const batch = wrtcSuite('consumeMany');

/** Small cameras: these tests count streams and frames, not pixels. */
const small = (bot: WrtcBot) => {
  bot.video = { width: 160, height: 120, fps: 10 };
};

/** A receiver without media of its own, speaking the protocol directly: joined, capabilities sent, one recv transport. */
interface RawReceiver {
  socket: Socket;
  peerId: string;
  transportId: string;
  join: ResponseData<'join'>;
}

const sockets: Socket[] = [];
batch.after(() => {
  for (const s of sockets) s.close();
});

async function rawReceiver(ctx: WrtcSuiteContext, roomId: string, name: string): Promise<RawReceiver> {
  const socket = await connectSocket(ctx.srv!.url, { token: await ctx.srv!.mintToken(roomId, name), roomId });
  sockets.push(socket);
  const join = await request(socket, 'join', {});
  const device = new Device({ handlerName: 'Chrome111' });
  await device.load({ routerRtpCapabilities: join.routerRtpCapabilities as msc.RtpCapabilities });
  await request(socket, 'setRtpCapabilities', { rtpCapabilities: device.rtpCapabilities as never });
  const { id } = await request(socket, 'createTransport', { direction: 'recv' });
  return { socket, peerId: join.peerId, transportId: id, join };
}

function serverPeer(ctx: WrtcSuiteContext, roomId: string, peerId: string) {
  const peer = ctx.srv!.server.registry.get(roomId)?.getPeer(peerId);
  if (!peer) throw new Error(`no peer ${peerId} on the server`);
  return peer;
}

async function refusal(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  assert.instance(error, RequestError, 'refused');
  return (error as RequestError).error.code;
}

batch('SIG-17, SIG-5: one consumeMany and one resumeConsumers receive every producer of the room; frames decoded', async (ctx) => {
  const { id } = await ctx.srv!.createRoom();
  const publishers = [];
  for (const name of ['Ada', 'Grace', 'Linus']) publishers.push(await joinBot(ctx, id, name, small));
  const late = await joinBot(ctx, id, 'Late', small);
  assert.is(late.sent.get('consumeMany'), 1, 'one consumeMany');
  assert.is(late.sent.get('resumeConsumers'), 1, 'one resumeConsumers');
  assert.is(late.sent.get('consume'), undefined, 'no single consume');
  assert.is(late.sent.get('resumeConsumer'), undefined, 'no single resumeConsumer');
  for (const p of publishers) {
    await waitFor(`Late decodes ${p.name}'s video and receives its audio`, async () => {
      const tracks = late.tracksFrom(p.peerId);
      const audio = tracks.find((t) => t.kind === 'audio');
      return tracks.some((t) => t.kind === 'video' && t.frames > 3) && audio !== undefined && audio.frames > 10;
    }, 15_000);
  }
  const consumers = [...serverPeer(ctx, id, late.peerId).media.consumers.values()];
  assert.is(consumers.length, 6, 'three peers × (microphone + camera)');
  assert.ok(consumers.every((c) => !c.paused), 'every consumer resumed by the client');

  // SIG-5 on a raw receiver: created paused, resumed by resumeConsumers, not before.
  const raw = await rawReceiver(ctx, id, 'Raw');
  const producerIds = raw.join.peers.flatMap((p) => p.producers.map((x) => x.id));
  assert.is(producerIds.length, 8, 'Ada, Grace, Linus and Late publish a microphone and a camera');
  const answer = await request(raw.socket, 'consumeMany', { transportId: raw.transportId, producerIds });
  assert.equal(answer.missing, []);
  assert.equal(answer.consumers.map((c) => c.producerId), producerIds, 'in the order asked');
  const byId = new Map(raw.join.peers.flatMap((p) => p.producers.map((x) => [x.id, { peerId: p.id, ...x }] as const)));
  for (const c of answer.consumers) {
    const producer = byId.get(c.producerId)!;
    assert.is(c.peerId, producer.peerId);
    assert.is(c.kind, producer.kind);
    assert.is(c.source, producer.source);
    assert.ok(c.rtpParameters.codecs.length > 0, 'rtpParameters carry the codec');
  }
  const rawConsumers = () => answer.consumers.map((c) => serverPeer(ctx, id, raw.peerId).media.consumers.get(c.consumerId)!);
  assert.ok(rawConsumers().every((c) => c.paused), 'created paused (SIG-5)');
  const half = answer.consumers.slice(0, 4).map((c) => c.consumerId);
  assert.equal(await request(raw.socket, 'resumeConsumers', { consumerIds: half }), { missing: [] });
  assert.equal(rawConsumers().map((c) => c.paused), [false, false, false, false, true, true, true, true], 'only those asked are resumed');
  // Consuming the same producers again is refused, and creates nothing.
  assert.is(await refusal(request(raw.socket, 'consumeMany', { transportId: raw.transportId, producerIds: producerIds.slice(0, 2) })), 'BAD_REQUEST');
  assert.is(serverPeer(ctx, id, raw.peerId).media.consumers.size, 8);
});

batch('SIG-17: a batch over BATCH_LIMITS.maxIdsPerBatch, empty, or with a repeated id is BAD_REQUEST; at the limit it is answered', async (ctx) => {
  const { id } = await ctx.srv!.createRoom();
  const raw = await rawReceiver(ctx, id, 'Raw');
  const ids = (n: number) => Array.from({ length: n }, (_, i) => `unknown-producer-${i}`);
  const max = BATCH_LIMITS.maxIdsPerBatch;
  const over = (await rawRequest(raw.socket, 'consumeMany', { transportId: raw.transportId, producerIds: ids(max + 1) })) as { ok: boolean; error?: { code: string; message: string } };
  assert.is(over.ok, false);
  assert.is(over.error!.code, 'BAD_REQUEST');
  assert.match(over.error!.message, 'producerIds', 'the message names the field');
  for (const producerIds of [[], ['same', 'same']]) {
    assert.is(await refusal(request(raw.socket, 'consumeMany', { transportId: raw.transportId, producerIds })), 'BAD_REQUEST', JSON.stringify(producerIds));
  }
  const resumeOver = (await rawRequest(raw.socket, 'resumeConsumers', { consumerIds: ids(max + 1) })) as { ok: boolean; error?: { code: string } };
  assert.is(resumeOver.error?.code, 'BAD_REQUEST');
  assert.is(await refusal(request(raw.socket, 'consumeMany', { transportId: raw.transportId, producerIds: ids(2), extra: 1 } as never)), 'BAD_REQUEST', 'unknown fields');
  // At the limit: answered, every unknown producer missing, every unknown consumer missing.
  const atLimit = await request(raw.socket, 'consumeMany', { transportId: raw.transportId, producerIds: ids(max) });
  assert.equal(atLimit, { consumers: [], missing: ids(max) });
  assert.equal(await request(raw.socket, 'resumeConsumers', { consumerIds: ids(max) }), { missing: ids(max) });
});

batch('SIG-4, SIG-17: a batch of 100 ids costs 10 requests in the token bucket', async (ctx) => {
  const { id } = await ctx.srv!.createRoom();
  const raw = await rawReceiver(ctx, id, 'Raw'); // 4 requests so far
  const producerIds = Array.from({ length: BATCH_LIMITS.maxIdsPerBatch }, (_, i) => `unknown-producer-${i}`);
  // 30 batches sent at once: 300 tokens at 10 each, more than the burst (240) and what refills
  // while they arrive; at one token each they would all pass.
  const answers = (await Promise.all(
    Array.from({ length: 30 }, () => rawRequest(raw.socket, 'consumeMany', { transportId: raw.transportId, producerIds })),
  )) as Array<{ ok: boolean; error?: { code: string } }>;
  const accepted = answers.filter((a) => a.ok).length;
  const limited = answers.filter((a) => a.error?.code === 'RATE_LIMITED').length;
  assert.is(accepted + limited, 30, 'each answered or rate limited');
  assert.ok(limited > 0, `some batches are refused RATE_LIMITED (${limited})`);
  assert.ok(accepted >= Math.floor((LIMITS.requestBurst - 4) / 10), `the burst pays for ${accepted} batches`);
});

batch('SIG-17: a producer closed before the batch is answered missing; the others are consumed', async (ctx) => {
  const { id } = await ctx.srv!.createRoom();
  const ada = await joinBot(ctx, id, 'Ada', small);
  const bob = await joinBot(ctx, id, 'Bob', small);
  const raw = await rawReceiver(ctx, id, 'Raw');
  const of = (bot: WrtcBot) => raw.join.peers.find((p) => p.id === bot.peerId)!.producers.map((p) => p.id);
  await bob.leave();
  await waitFor("the server forgets Bob's producers", () => !ctx.srv!.server.registry.get(id)!.getPeer(bob.peerId), 10_000);
  const producerIds = [of(bob)[0], ...of(ada), of(bob)[1]];
  const answer = await request(raw.socket, 'consumeMany', { transportId: raw.transportId, producerIds });
  assert.equal(answer.consumers.map((c) => c.producerId), of(ada));
  assert.equal(answer.missing, of(bob), "Bob's microphone and camera, in the order asked");
  assert.is(serverPeer(ctx, id, raw.peerId).media.consumers.size, 2, 'no consumer for what is missing');
  // A consumer closed since (its producer left) is missing from resumeConsumers; the others resume.
  const [mic, cam] = answer.consumers;
  await ada.leave();
  await waitFor("the server closes the consumers of Ada's producers", () => serverPeer(ctx, id, raw.peerId).media.consumers.size === 0, 10_000);
  assert.equal(await request(raw.socket, 'resumeConsumers', { consumerIds: [mic.consumerId, cam.consumerId] }), { missing: [mic.consumerId, cam.consumerId] });
});

batch("SIG-6: another peer's transport is NOT_FOUND like an unknown one, its consumers are missing and stay paused; own producers and a send transport are refused", async (ctx) => {
  const { id } = await ctx.srv!.createRoom();
  const ada = await joinBot(ctx, id, 'Ada', small);
  const eve = await rawReceiver(ctx, id, 'Eve');
  const raw = await rawReceiver(ctx, id, 'Raw');
  const adaProducers = raw.join.peers.find((p) => p.id === ada.peerId)!.producers.map((p) => p.id);
  const mine = await request(raw.socket, 'consumeMany', { transportId: raw.transportId, producerIds: adaProducers });
  assert.is(mine.consumers.length, 2);

  const other = await rawRequest(eve.socket, 'consumeMany', { transportId: raw.transportId, producerIds: adaProducers });
  const unknown = await rawRequest(eve.socket, 'consumeMany', { transportId: 'no-such-transport', producerIds: adaProducers });
  assert.equal(other, unknown, "another peer's transport answers exactly like an unknown one");
  assert.is((other as { error: { code: string } }).error.code, 'NOT_FOUND');
  const rawIds = mine.consumers.map((c) => c.consumerId);
  assert.equal(await request(eve.socket, 'resumeConsumers', { consumerIds: rawIds }), { missing: rawIds }, "another peer's consumers are missing, like unknown ones");
  const rawPeer = serverPeer(ctx, id, raw.peerId);
  assert.ok(rawIds.every((c) => rawPeer.media.consumers.get(c)!.paused), 'and stay paused');
  assert.is(serverPeer(ctx, id, eve.peerId).media.consumers.size, 0, 'Eve consumed nothing');

  // The single consume's other refusals hold for the batch, before anything is created.
  const { id: sendId } = await request(raw.socket, 'createTransport', { direction: 'send' });
  assert.is(await refusal(request(raw.socket, 'consumeMany', { transportId: sendId, producerIds: adaProducers })), 'BAD_REQUEST', 'a send transport');
  const adaSocket = ada.socket;
  const { id: adaRecv } = await request(adaSocket, 'createTransport', { direction: 'recv' });
  assert.is(await refusal(request(adaSocket, 'consumeMany', { transportId: adaRecv, producerIds: adaProducers })), 'BAD_REQUEST', 'own producers');
});

batch('SIG-10: a batch join leaves a muted microphone unconsumed, consumes it on its first unmute; a paused producer is answered producerPaused', async (ctx) => {
  const { id } = await ctx.srv!.createRoom();
  const speaker = await joinBot(ctx, id, 'Speaker', (b) => {
    small(b);
    b.micMuted = true;
  });
  const listener = await joinBot(ctx, id, 'Listener', (b) => {
    small(b);
    b.publishVideo = false;
  });
  const mic = [...serverPeer(ctx, id, speaker.peerId).media.producers.values()].find((p) => p.kind === 'audio')!;
  const consumesMic = (peerId: string) => [...serverPeer(ctx, id, peerId).media.consumers.values()].some((c) => c.producerId === mic.id);
  assert.is(listener.sent.get('consumeMany'), 1, 'the listener joined with a batch');
  await waitFor("the listener decodes the speaker's camera", () => listener.tracksFrom(speaker.peerId).some((t) => t.kind === 'video' && t.frames > 3), 15_000);
  await roundTrip(listener.socket);
  assert.not.ok(consumesMic(listener.peerId), 'the muted microphone is not consumed');
  assert.is(listener.tracksFrom(speaker.peerId).length, 1, 'only the camera');

  // A client that asks anyway learns it is paused (it then pauses it locally, SIG-10).
  const raw = await rawReceiver(ctx, id, 'Raw');
  const answer = await request(raw.socket, 'consumeMany', { transportId: raw.transportId, producerIds: [mic.id] });
  assert.is(answer.consumers[0].producerPaused, true);

  await speaker.setMicMuted(false);
  const audio = await waitFor('the listener consumes the microphone on its first unmute', () => listener.tracksFrom(speaker.peerId).find((t) => t.kind === 'audio'), 10_000);
  await waitFor('the voice arrives', async () => (await listener.bytesReceived(audio.consumerId)) > 4000, 10_000);
  await speaker.setMicMuted(true);
  await waitFor('paused again at the listener', () => audio.paused, 5000);
});

batch('SIG-17: a join into a room of 10 costs a constant number of requests, not two per producer', async (ctx) => {
  const { id } = await ctx.srv!.createRoom();
  const cheap = (b: WrtcBot) => {
    b.video = { width: 160, height: 120, fps: 5 };
    b.audioSinks = false;
    b.videoSinks = 'first-frame';
  };
  const present: WrtcBot[] = [];
  for (let i = 0; i < 9; i++) present.push(await joinBot(ctx, id, `bot-${i}`, cheap));
  const tenth = await joinBot(ctx, id, 'tenth', cheap);
  const sent = Object.fromEntries(tenth.sent);
  // join, setRtpCapabilities, 2 × createTransport, 2 × connectTransport, 2 × produce, consumeMany, resumeConsumers.
  assert.ok(tenth.requestsAtJoin <= 12, `at most 12 requests for the join (${tenth.requestsAtJoin}: ${JSON.stringify(sent)})`);
  assert.is(sent.consumeMany, 1);
  assert.is(sent.resumeConsumers, 1);
  assert.is(sent.consume, undefined);
  assert.is(serverPeer(ctx, id, tenth.peerId).media.consumers.size, 18, 'nine peers × (microphone + camera), all consumed');
  for (const p of present) {
    await waitFor(`tenth decodes ${p.name}'s camera`, () => tenth.tracksFrom(p.peerId).some((t) => t.kind === 'video' && t.frames > 0), 20_000);
  }
  // The former path, for comparison: a consume and a resumeConsumer per producer.
  const single = await joinBot(ctx, id, 'single', (b) => {
    cheap(b);
    b.consumeMode = 'single';
  });
  assert.is(single.sent.get('consume'), 20, 'ten peers × two producers');
  assert.is(single.sent.get('resumeConsumer'), 20);
  assert.ok(single.requestsAtJoin >= 40, `the single path: ${single.requestsAtJoin} requests`);
});

exitAfterRun(batch);
