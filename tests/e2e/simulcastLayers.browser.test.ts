import * as assert from 'uvu/assert';
import { browserSuite, openPage, selfId, WAIT_MS } from '../helpers/browser.js';
import { exitAfterRun } from '../helpers/exitAfterRun.js';
import { request } from '../helpers/signalingClient.js';
import { waitFor } from '../helpers/waitFor.js';
import { WrtcBot } from '../helpers/WrtcBot.js';
import { localMedia } from '../helpers/localMedia.js';

/**
 * SIG-8 from a real browser (README "How a meeting flows", step 5): Chromium's camera reaches the
 * SFU as 3 simulcast layers, all three carrying media, and a receiver asking for the top layer
 * gets it: full size, twice the middle layer, four times the lowest.
 */
const layers = browserSuite('simulcast layers from a browser');
const bots: WrtcBot[] = [];
layers.after.each(() => {
  for (const b of bots.splice(0)) b.close();
});

layers('a browser publishes three simulcast layers; the top one is received at full size', async (ctx) => {
  const srv = ctx.srv!;
  const logs: string[] = [];
  const { id } = await srv.createRoom({ name: 'Layers' });
  const page = await openPage(ctx.browser!, ctx.contexts, `${srv.url}/room/${id}?token=${encodeURIComponent(await srv.mintToken(id, 'Ada'))}&autojoin=1`, logs);
  const adaId = await selfId(page);
  const camera = await waitFor('the browser camera on the server', () => {
    const peer = srv.server.registry.get(id)?.getPeer(adaId);
    return peer && [...localMedia(peer.media).producers.values()].find((p) => p.appData.source === 'camera');
  });
  assert.is(camera.type, 'simulcast');
  assert.is(camera.rtpParameters.encodings?.length, 3, `three encodings: ${JSON.stringify(camera.rtpParameters.encodings)}`);
  // Every layer carries media: one inbound RTP stream per layer on the producer, each with bytes.
  await waitFor(
    'three layers receiving bytes',
    async () => {
      const stats = (await camera.getStats()).filter((s) => s.type === 'inbound-rtp');
      return stats.length === 3 && stats.every((s) => s.byteCount > 0);
    },
    WAIT_MS,
    250,
  ).catch(async (error: Error) => {
    throw new Error(`${error.message}: ${JSON.stringify(await camera.getStats())}\n${logs.join('\n')}`);
  });

  const viewer = new WrtcBot('Viewer');
  viewer.publishVideo = false;
  bots.push(viewer);
  await viewer.join(srv.url, id, await srv.mintToken(id, 'Viewer'));
  const video = await waitFor('the viewer consumes the browser camera', () => viewer.tracksFrom(adaId).find((t) => t.kind === 'video'), WAIT_MS);
  const serverConsumer = () => localMedia(srv.server.registry.get(id)!.getPeer(viewer.peerId)!.media).consumers.get(video.consumerId)!;
  assert.is(serverConsumer().type, 'simulcast');
  const widthAt = async (spatialLayer: number): Promise<number> => {
    await request(viewer.socket, 'setConsumerLayers', { consumerId: video.consumerId, spatialLayer });
    await waitFor(`layer ${spatialLayer} forwarded`, () => serverConsumer().currentLayers?.spatialLayer === spatialLayer, WAIT_MS, 100);
    // The decoder follows a few frames later; then the width holds.
    let last = 0;
    await waitFor(
      `a steady width at layer ${spatialLayer}`,
      async () => {
        const { frameWidth } = await viewer.inboundVideo(video.consumerId);
        const steady = frameWidth > 0 && frameWidth === last;
        last = frameWidth;
        return steady && serverConsumer().currentLayers?.spatialLayer === spatialLayer;
      },
      WAIT_MS,
      500,
    );
    return last;
  };
  const top = await widthAt(2);
  const middle = await widthAt(1);
  const low = await widthAt(0);
  const captured = await page.evaluate(() => document.querySelector<HTMLVideoElement>('video[data-testid="local-video"]')?.videoWidth ?? 0);
  console.log(`  browser camera ${captured} px wide; received layers: ${low}, ${middle}, ${top} px`);
  assert.ok(top > middle && middle > low, `three sizes: ${low} < ${middle} < ${top}`);
  assert.ok(Math.abs(top - 2 * middle) <= 2 && Math.abs(top - 4 * low) <= 4, `scaled by 1, ½, ¼: ${low}, ${middle}, ${top}`);
  assert.ok(top <= captured, `the top layer is at most the captured size (${top} ≤ ${captured})`);
  assert.is(serverConsumer().preferredLayers?.spatialLayer, 0);
});

exitAfterRun(layers);
