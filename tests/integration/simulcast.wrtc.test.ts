import * as assert from 'uvu/assert';
import { exitAfterRun } from '../helpers/exitAfterRun.js';
import { request } from '../helpers/signalingClient.js';
import { waitFor } from '../helpers/waitFor.js';
import { controlAdvances, WrtcBot } from '../helpers/WrtcBot.js';
import { wrtcSuite } from '../helpers/wrtcSuite.js';
import { localMedia } from '../helpers/localMedia.js';

/**
 * SIG-8: a camera published as 3 simulcast layers; the receiver asks for the layer that fits its
 * tile and gets that resolution, the top one (960×540) included; pausing an off-page tile's consumer stops its video.
 */
const simulcast = wrtcSuite('simulcast');

simulcast('the requested layer decides the received resolution; pause stops the video', async (ctx) => {
  const srv = ctx.srv!;
  const { id } = await srv.createRoom();
  const sender = new WrtcBot('sender');
  sender.simulcast = true;
  const viewer = new WrtcBot('viewer');
  viewer.publishVideo = false;
  ctx.bots.push(sender, viewer);
  await sender.join(srv.url, id, await srv.mintToken(id, 'sender'));
  await viewer.join(srv.url, id, await srv.mintToken(id, 'viewer'));
  const video = await waitFor('viewer consumes the camera', () => viewer.tracksFrom(sender.peerId).find((r) => r.kind === 'video'), 15_000);
  const serverConsumer = () => localMedia([...srv.server.registry.get(id)!.peers()].find((p) => p.id === viewer.peerId)!.media).consumers.get(video.consumerId)!;
  assert.is(serverConsumer().type, 'simulcast');

  const setLayer = (spatialLayer: number) => request(viewer.socket, 'setConsumerLayers', { consumerId: video.consumerId, spatialLayer });
  const widthIs = (expected: number) =>
    waitFor(`received width ${expected}`, async () => (await viewer.inboundVideo(video.consumerId)).frameWidth === expected, 20_000, 250);

  await setLayer(0);
  await widthIs(240);
  await setLayer(1);
  await widthIs(480);
  // The top layer too: full resolution (the sender's bandwidth estimate must first allow 900 kbit/s).
  await setLayer(2);
  await widthIs(960);
  assert.is(serverConsumer().currentLayers?.spatialLayer, 2, 'the SFU forwards spatial layer 2');
  assert.is((await viewer.inboundVideo(video.consumerId)).frameHeight, 540);
  await setLayer(0);
  await widthIs(240);
  assert.is(serverConsumer().preferredLayers?.spatialLayer, 0);

  // An off-page tile: the client pauses its consumer; the server stops forwarding it.
  // The control: the plain camera of a third participant, received on the same transport.
  const plain = new WrtcBot('plain');
  ctx.bots.push(plain);
  await plain.join(srv.url, id, await srv.mintToken(id, 'plain'));
  const plainVideo = await waitFor('viewer consumes the plain camera', () => viewer.tracksFrom(plain.peerId).find((r) => r.kind === 'video'), 15_000);
  await controlAdvances(plainVideo, 5, 'the plain camera');
  await request(viewer.socket, 'pauseConsumer', { consumerId: video.consumerId });
  assert.ok(serverConsumer().paused);
  await controlAdvances(plainVideo, 5, 'in-flight frames');
  const paused0 = (await viewer.inboundVideo(video.consumerId)).framesDecoded;
  await controlAdvances(plainVideo, 20, 'the plain camera while the simulcast one is paused');
  const paused1 = (await viewer.inboundVideo(video.consumerId)).framesDecoded;
  assert.is(paused1, paused0, 'no frames while paused');
  await request(viewer.socket, 'resumeConsumer', { consumerId: video.consumerId });
  await waitFor('frames again after resume', async () => (await viewer.inboundVideo(video.consumerId)).framesDecoded > paused1 + 5, 10_000);
  // Audio was never paused.
  const audio = viewer.tracksFrom(sender.peerId).find((r) => r.kind === 'audio')!;
  assert.ok(audio.frames > 100, `audio received all along (${audio.frames} chunks)`);

  // Layers of a single-layer stream: accepted, no effect (still 320 wide, still decoding).
  await request(viewer.socket, 'setConsumerLayers', { consumerId: plainVideo.consumerId, spatialLayer: 0 });
  await controlAdvances(plainVideo, 10, 'the plain camera after setConsumerLayers');
  assert.is((await viewer.inboundVideo(plainVideo.consumerId)).frameWidth, 320);
});

exitAfterRun(simulcast);
