import { request } from '../../../tests/helpers/signalingClient.js';
import { sleep, waitFor } from '../../../tests/helpers/waitFor.js';
import { WrtcBot } from '../../../tests/helpers/WrtcBot.js';
import type { SpanNodes } from './SpanNodes.js';

export interface LayerWindow {
  layer: 'top' | 'lowest';
  seconds: number;
  /** Bytes per second through the pipe: sent by the home's pipe transport, received by the annex's. */
  homeOut: number;
  annexIn: number;
  /** Per receiver: bytes per second of the camera (inbound-rtp), decoded size and frames per second. */
  receivers: Array<{ bytes: number; frame: string; fps: number }>;
}

const RECEIVERS = 2;
const SETTLE_MS = 4_000;

/**
 * SPAN-3 with simulcast: one publisher (WrtcBot `simulcast`: 3 layers, 240×135 / 480×270 / 960×540
 * at 100 / 300 / 900 kbit/s) with its media on the home, two receivers (publishing nothing) with
 * theirs on the annex (fillers on the home first, SpanNodes.fill). A window with the receivers on
 * the top layer (the default; after their bandwidth estimate let it through), one after both
 * asked for the lowest (`setConsumerLayers` spatialLayer 0), and one on the top layer again. What
 * the pipe carries against what the receivers get. The bots run in this process (a short phase; bytes are measured, not CPU).
 */
export async function simulcastLayers(nodes: SpanNodes, o: { windowSeconds: number }): Promise<{ home: number; windows: LayerWindow[] }> {
  const { roomId, home } = await nodes.placeRoom('span-layers', nodes.limit + RECEIVERS + 1);
  const annex = 1 - home;
  const bots: WrtcBot[] = [];
  const bot = (name: string) => {
    const b = new WrtcBot(name);
    b.audioSinks = false;
    b.videoSinks = 'first-frame';
    bots.push(b);
    return b;
  };
  const token = (name: string) => nodes.cluster.mintToken(roomId, name);
  try {
    process.stdout.write(`[layers] home node${home}: one simulcast publisher there, ${RECEIVERS} receivers on the annex… `);
    const publisher = bot('publisher');
    publisher.simulcast = true;
    publisher.micMuted = true; // only the camera crosses
    await publisher.join(nodes.url(home), roomId, await token('publisher'));
    const fillers = await nodes.fill(home, roomId, nodes.limit - 1);
    const receivers: WrtcBot[] = [];
    for (let i = 0; i < RECEIVERS; i++) {
      const r = bot(`receiver-${i}`);
      await r.join(nodes.url(home), roomId, await token(r.name), false);
      receivers.push(r);
    }
    await nodes.leave(fillers);
    const annexHealth = await nodes.health(annex);
    if (annexHealth.participants !== RECEIVERS) throw new Error(`layers: ${annexHealth.participants} participants' media on the annex, wanted ${RECEIVERS}`);
    const camera = (r: WrtcBot) => r.tracksFrom(publisher.peerId).find((t) => t.kind === 'video');
    await waitFor('the receivers decode the camera', () => receivers.every((r) => (camera(r)?.frames ?? 0) > 0), 20_000);
    const width = async (r: WrtcBot) => (await r.inboundVideo(camera(r)!.consumerId)).frameWidth;
    const reach = async (w: number) => waitFor(`the receivers decode ${w} px wide frames`, async () => (await Promise.all(receivers.map(width))).every((x) => x === w), 20_000).catch(() => undefined);

    const measure = async (layer: LayerWindow['layer']): Promise<LayerWindow> => {
      const read = () => Promise.all(receivers.map(async (r) => ({ bytes: await r.bytesReceived(camera(r)!.consumerId), video: await r.inboundVideo(camera(r)!.consumerId) })));
      const p0 = await nodes.pipes();
      const r0 = await read();
      await sleep(o.windowSeconds * 1000);
      const p1 = await nodes.pipes();
      const r1 = await read();
      const seconds = (p1.at - p0.at) / 1000;
      return {
        layer,
        seconds,
        homeOut: (p1.bytesOut[home] - p0.bytesOut[home]) / seconds,
        annexIn: (p1.bytesIn[annex] - p0.bytesIn[annex]) / seconds,
        receivers: r1.map((x, i) => ({
          bytes: (x.bytes - r0[i].bytes) / seconds,
          frame: `${x.video.frameWidth}×${x.video.frameHeight}`,
          fps: (x.video.framesDecoded - r0[i].video.framesDecoded) / seconds,
        })),
      };
    };
    // The receivers' bandwidth estimate grows from a few hundred kbit/s: mediasoup moves them up to the top layer as it does.
    const layer = async (spatialLayer: number) => {
      for (const r of receivers) await request(r.socket, 'setConsumerLayers', { consumerId: camera(r)!.consumerId, spatialLayer });
    };
    await reach(960);
    await sleep(SETTLE_MS); // the publisher's own estimate still climbs after the top layer appears
    const windows = [await measure('top')];
    await layer(0);
    await reach(240);
    windows.push(await measure('lowest'));
    // Top again: what the publisher sends may still drift; a pipe that followed the layers would swing back with them.
    await layer(2);
    await reach(960);
    windows.push(await measure('top'));
    console.log('done');
    return { home, windows };
  } finally {
    for (const b of bots) b.close();
  }
}
