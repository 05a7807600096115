import dgram from 'node:dgram';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { RecordingTap, WorkerPool } from '@nomades/sfu';
import { TAP_LAYER_CHECK_MS } from '../../sfu/src/TapLayerFollower.js';
import { exitAfterRun } from '../helpers/exitAfterRun.js';
import { COUNTER_OFFSET, RtpSender } from '../helpers/RtpSender.js';
import { sleep, waitFor } from '../helpers/waitFor.js';

/**
 * REC-15: a recording tap of a simulcast camera follows the layers the sender really sends
 * (sfu/src/TapLayerFollower.ts), on a real mediasoup worker with synthetic RTP: three streams at
 * 30 frames a second, key frames only when mediasoup asks. When the top stream stops (a sender
 * whose bandwidth shrank), the tap forwards the next one within a second; mediasoup alone
 * forwarded nothing for 2.5 s (measured before the follower). The top stream back, the tap
 * goes back up to it without a hole.
 */
interface Ctx {
  pool?: WorkerPool;
  closers: Array<{ close(): void }>;
}
const s = suite<Ctx>('recording tap of a simulcast camera', { closers: [] });

s.before(async (ctx) => {
  ctx.pool = await WorkerPool.create({ numWorkers: 1, listenIp: '127.0.0.1', basePort: 0, rtcMinPort: 47000, rtcMaxPort: 47999, workerBin: process.env.MEDIASOUP_WORKER_BIN });
});
s.after(async (ctx) => {
  for (const c of ctx.closers.reverse()) c.close();
  ctx.pool?.close();
  await ctx.pool?.exited();
});

async function socket(ctx: Ctx): Promise<dgram.Socket> {
  const sock = dgram.createSocket('udp4');
  await new Promise<void>((r) => sock.bind(0, '127.0.0.1', r));
  ctx.closers.push(sock);
  return sock;
}

s('the top stream stops: the tap forwards the next one within a second; back, the tap goes up again', async (ctx) => {
  const { router } = await ctx.pool!.createRouter({ roomId: 'tap' });
  const sender = await RtpSender.create(router, { kind: 'video', appData: { peerId: 'p', source: 'camera' }, ssrcs: [1111, 2222, 3333] });
  ctx.closers.push(sender);
  // The recorder: where the tap sends, noting which stream each packet was sent on.
  const [rtp, rtcp] = [await socket(ctx), await socket(ctx)];
  const streamOf = new Map<number, number>();
  const got: Array<{ at: number; stream: number }> = [];
  rtp.on('message', (msg) => {
    if (msg.length < 12 || msg[0] & 0x20) return; // padding (RTCP goes to the other port)
    let start = 12 + (msg[0] & 0x0f) * 4;
    if (msg[0] & 0x10) start += 4 + msg.readUInt16BE(start + 2) * 4;
    const stream = streamOf.get(msg.readUInt32BE(start + COUNTER_OFFSET.video));
    if (stream !== undefined) got.push({ at: performance.now(), stream });
  });
  const tap = await RecordingTap.create(router, sender.producer, '127.0.0.1', { ip: '127.0.0.1', rtpPort: rtp.address().port, rtcpPort: rtcp.address().port });
  ctx.closers.push(tap);
  let sending = [0, 1, 2];
  const frames = setInterval(() => {
    for (const i of sending) for (const c of sender.sendFrame(i, 2, 600)) streamOf.set(c, i);
  }, 33);
  ctx.closers.push({ close: () => clearInterval(frames) });
  await sleep(300);
  await tap.resume();
  await waitFor('the tap forwards the top stream', () => got.at(-1)?.stream === 2, 3_000);
  await sleep(1_500);

  // The sender drops its top stream.
  const stoppedAt = performance.now();
  sending = [0, 1];
  const lower = await waitFor('the tap forwards a lower stream', () => got.find((g) => g.at > stoppedAt + 50 && g.stream < 2), 5_000);
  const lastTop = Math.max(...got.filter((g) => g.stream === 2).map((g) => g.at));
  const gap = lower.at - lastTop;
  console.log(`[tap-layers] top stream stopped: the tap forwards stream ${lower.stream} ${(gap / 1000).toFixed(2)} s after its last packet of the top one`);
  assert.ok(gap < 2 * TAP_LAYER_CHECK_MS + 300, `${gap} ms without a frame (mediasoup alone: 2.5 s)`);
  assert.equal(tap.consumer.preferredLayers?.spatialLayer, 1, 'the tap prefers the highest stream that flows');

  // The top stream back: the tap goes up again, without a hole.
  await sleep(1_000);
  const backAt = performance.now();
  sending = [0, 1, 2];
  const up = await waitFor('the tap forwards the top stream again', () => got.find((g) => g.at > backAt && g.stream === 2), 5_000);
  const during = got.filter((g) => g.at > backAt - 500 && g.at <= up.at).map((g) => g.at);
  const hole = Math.max(...during.slice(1).map((t, i) => t - during[i]));
  console.log(`[tap-layers] top stream back: forwarded again ${((up.at - backAt) / 1000).toFixed(2)} s after, the longest hole meanwhile ${hole.toFixed(0)} ms`);
  // Up is mediasoup's pace (the stream's score recovers first: 2.5 s without the follower too); the lower stream flows meanwhile.
  assert.ok(up.at - backAt < 4_500, `${up.at - backAt} ms to go back up`);
  assert.ok(hole < 200, `a ${hole} ms hole going back up`);

  // Nothing flows (the camera paused): the tap keeps its choice.
  sending = [];
  await sleep(3 * TAP_LAYER_CHECK_MS);
  assert.equal(tap.consumer.preferredLayers?.spatialLayer, 2);
});

exitAfterRun(s);
