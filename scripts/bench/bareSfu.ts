/**
 * The baseline of the room benchmark: bare mediasoup behind a minimal socket.io shim that speaks
 * the same request names as nomades-visio (so the same bots run against both), with the same
 * codecs and WebRtcServer setup, and no application logic: no auth, no validation, no rate
 * limit, no rooms, no per-peer bookkeeping beyond what mediasoup needs. Started by room.ts.
 */
import http from 'node:http';
import * as mediasoup from 'mediasoup';
import type { types } from 'mediasoup';
import { Server } from 'socket.io';
import { mediaCodecs } from '@nomades/sfu';

const workers = Number(process.env.MEDIA_WORKERS ?? 1);
const worker = await mediasoup.createWorker({ logLevel: 'warn', rtcMinPort: 40000, rtcMaxPort: 49999 });
if (workers !== 1) console.error('bareSfu: one worker only (the baseline of a one-room benchmark)');
const webRtcServer = await worker.createWebRtcServer({
  listenInfos: [
    { protocol: 'udp', ip: '127.0.0.1' },
    { protocol: 'tcp', ip: '127.0.0.1' },
  ],
});
const router = await worker.createRouter({ mediaCodecs });
const producers = new Map<string, { producer: types.Producer; peerId: string }>();

const httpServer = http.createServer((req, res) => {
  res.writeHead(req.url === '/healthz' ? 200 : 404, { 'content-type': 'application/json' });
  res.end('{"status":"ok"}');
});
const io = new Server(httpServer, { maxHttpBufferSize: 1e6 });
io.on('connection', (socket) => {
  const peerId = socket.id;
  const transports = new Map<string, types.WebRtcTransport>();
  const consumers = new Map<string, types.Consumer>();
  let rtpCapabilities: types.RtpCapabilities;
  const handlers: Record<string, (d: any) => Promise<unknown> | unknown> = {
    join: () => ({
      peerId,
      roomId: 'bare',
      displayName: peerId,
      role: 'participant',
      routerRtpCapabilities: router.rtpCapabilities,
      peers: [...new Set([...producers.values()].map((p) => p.peerId))].map((id) => ({
        id,
        displayName: id,
        role: 'participant',
        producers: [...producers.values()]
          .filter((p) => p.peerId === id)
          .map((p) => ({ id: p.producer.id, kind: p.producer.kind, source: p.producer.appData.source, paused: p.producer.paused })),
      })),
    }),
    setRtpCapabilities: (d) => {
      rtpCapabilities = d.rtpCapabilities;
      return {};
    },
    createTransport: async () => {
      const t = await router.createWebRtcTransport({ webRtcServer, enableUdp: true, enableTcp: true, preferUdp: true });
      transports.set(t.id, t);
      return { id: t.id, iceParameters: t.iceParameters, iceCandidates: t.iceCandidates, dtlsParameters: t.dtlsParameters };
    },
    connectTransport: async (d) => {
      await transports.get(d.transportId)!.connect({ dtlsParameters: d.dtlsParameters });
      return {};
    },
    produce: async (d) => {
      // A muted microphone is produced paused, as in nomades-visio (its consumers then stay idle).
      const producer = await transports.get(d.transportId)!.produce({ kind: d.kind, rtpParameters: d.rtpParameters, paused: d.paused === true, appData: { source: d.source } });
      producers.set(producer.id, { producer, peerId });
      producer.observer.once('close', () => producers.delete(producer.id));
      socket.broadcast.emit('newProducer', { peerId, producerId: producer.id, kind: producer.kind, source: d.source, paused: producer.paused });
      return { producerId: producer.id };
    },
    consume: async (d) => {
      const consumer = await transports.get(d.transportId)!.consume({ producerId: d.producerId, rtpCapabilities, paused: true });
      consumers.set(consumer.id, consumer);
      const owner = producers.get(d.producerId)!;
      return {
        consumerId: consumer.id,
        producerId: d.producerId,
        peerId: owner.peerId,
        kind: consumer.kind,
        source: owner.producer.appData.source,
        rtpParameters: consumer.rtpParameters,
        producerPaused: consumer.producerPaused,
      };
    },
    resumeConsumer: async (d) => {
      await consumers.get(d.consumerId)!.resume();
      return {};
    },
    leave: () => {
      setImmediate(() => socket.disconnect(true));
      return {};
    },
  };
  socket.onAny(async (name: string, data: unknown, ack: (a: unknown) => void) => {
    try {
      ack({ ok: true, data: await handlers[name](data) });
    } catch (error) {
      ack({ ok: false, error: { code: 'INTERNAL', message: String(error) } });
    }
  });
  socket.on('disconnect', () => {
    for (const t of transports.values()) t.close();
  });
});
httpServer.listen(Number(process.env.PORT), '127.0.0.1');
const stop = () => {
  worker.close();
  io.close();
  process.exit(0);
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
