import { Device, type types } from 'mediasoup-client';
import { BATCH_LIMITS, type MediaSource, type ProducerInfo, type RequestData, type ResponseData } from '@nomades/shared';
import { ClientError } from '../media/ClientError';
import { RemotePeers, type RemoteMedia } from '../media/RemotePeers';
import type { SignalingClient } from '../media/SignalingClient';
import { CAMERA_SIMULCAST, type VideoSubscriptions } from '../media/VideoSubscriptions';
import { IceRestarter } from './IceRestarter';

export type JoinAnswer = ResponseData<'join'>;

/**
 * The media of one participation (one `join`): the mediasoup Device (a Device loads once, so a
 * full rejoin makes a new MediaConnection), both transports with their ICE restart (SIG-14), our
 * producers and the consumers of everyone else (RemotePeers). A resume keeps it as it is; a full
 * rejoin closes it and opens another. close() is idempotent and closes everything it holds.
 */
export class MediaConnection {
  readonly remote = new RemotePeers();
  private readonly device = new Device();
  private readonly producers = new Map<MediaSource, types.Producer>();
  private readonly restarters: IceRestarter[] = [];
  private sendTransport: types.Transport | null = null;
  private recvTransport: types.Transport | null = null;
  private markRecvReady!: () => void;
  private readonly recvReady = new Promise<void>((resolve) => (this.markRecvReady = resolve));
  closed = false;

  constructor(
    private readonly signaling: SignalingClient,
    private readonly answer: JoinAnswer,
    private readonly videoSubscriptions: VideoSubscriptions,
    /** Something the UI shows changed (peers, media, recovery). */
    private readonly changed: () => void,
  ) {
    for (const peer of answer.peers) this.remote.upsertPeer(peer);
  }

  /** A transport is restarting its ICE (the media is being recovered). */
  get recovering(): boolean {
    return this.restarters.some((r) => r.recovering);
  }

  /** Loads the Device, creates both transports and consumes everyone present at the join. */
  async open(): Promise<void> {
    await this.device.load({ routerRtpCapabilities: this.answer.routerRtpCapabilities as types.RtpCapabilities });
    const rtpCapabilities = this.device.rtpCapabilities as RequestData<'setRtpCapabilities'>['rtpCapabilities'];
    await this.signaling.request('setRtpCapabilities', { rtpCapabilities });
    this.recvTransport = await this.createTransport('recv');
    this.sendTransport = await this.createTransport('send');
    this.markRecvReady();
    void this.consumeAll(this.answer.peers.flatMap((peer) => peer.producers.map((producer) => ({ peerId: peer.id, producer }))));
  }

  /** After a resume: new ICE parameters for both transports (the network may have changed). */
  restartIce(): void {
    for (const restarter of this.restarters) restarter.restartNow();
  }

  producer(source: MediaSource): types.Producer | undefined {
    return this.producers.get(source);
  }

  /** Our producers (the connection-quality monitor reads their scores, MEDIA-5). */
  ownProducers(): types.Producer[] {
    return [...this.producers.values()];
  }

  /** The remote media that should be flowing (MEDIA-5). */
  activeMedia(): RemoteMedia[] {
    return this.remote.activeMedia();
  }

  /** The browser's statistics of one transport (null before it exists, or once closed). */
  async transportStats(direction: 'send' | 'recv'): Promise<RTCStatsReport | null> {
    const transport = direction === 'send' ? this.sendTransport : this.recvTransport;
    if (!transport || transport.closed || this.closed) return null;
    return transport.getStats().catch(() => null);
  }

  /** Sends a local track; throws if the server or the browser refuses it. */
  async produce(source: MediaSource, track: MediaStreamTrack, paused: boolean): Promise<types.Producer> {
    if (!this.sendTransport || this.closed) throw new ClientError('UNAVAILABLE', 'no media connection');
    const producer = await this.sendTransport.produce({
      track,
      stopTracks: false,
      appData: { source, paused },
      // A muted microphone sends nothing and encodes nothing (SIG-10).
      zeroRtpOnPause: source === 'microphone',
      codecOptions: source === 'microphone' ? { opusDtx: true, opusFec: true } : { videoGoogleStartBitrate: 1000 },
      encodings: source === 'camera' ? CAMERA_SIMULCAST : undefined,
    });
    if (this.closed) {
      producer.close();
      throw new ClientError('UNAVAILABLE', 'the media connection was closed');
    }
    if (paused) producer.pause();
    this.producers.set(source, producer);
    return producer;
  }

  /** Stops sending `source` (closes its producer here and on the server). */
  async closeProducer(source: MediaSource): Promise<void> {
    const producer = this.producers.get(source);
    this.producers.delete(source);
    if (!producer) return;
    producer.close();
    if (!this.closed) await this.signaling.request('closeProducer', { producerId: producer.id }).catch(() => undefined);
  }

  /**
   * SIG-17: consumes many producers in a few requests (everyone present at a join or a rejoin):
   * `consumeMany` per batch, every consumer set up at once (one renegotiation), one
   * `resumeConsumers`. Producers gone meanwhile come back as `missing`. If a batch is refused
   * (an older server, a rate limit), its producers are consumed one by one.
   */
  async consumeAll(items: Array<{ peerId: string; producer: ProducerInfo }>): Promise<void> {
    const wanted = items.filter(({ peerId, producer }) => !this.remote.deferIfMuted(peerId, producer) && this.remote.begin(peerId, producer.id));
    await this.recvReady;
    for (let i = 0; i < wanted.length; i += BATCH_LIMITS.maxIdsPerBatch) {
      const batch = wanted.slice(i, i + BATCH_LIMITS.maxIdsPerBatch);
      const transport = this.recvTransport;
      if (this.closed || !transport) return;
      let answer: ResponseData<'consumeMany'>;
      try {
        answer = await this.signaling.request('consumeMany', { transportId: transport.id, producerIds: batch.map((b) => b.producer.id) });
      } catch (error) {
        if (this.closed) return;
        console.warn('batched consume refused, consuming one by one', error);
        for (const b of batch) void this.consumeStarted(b.peerId, b.producer);
        continue;
      }
      for (const id of answer.missing) this.remote.complete(id, null);
      const created = await Promise.all(
        answer.consumers.map(async (info): Promise<RemoteMedia | null> => {
          let media: RemoteMedia | null = null;
          try {
            if (this.closed || !this.remote.isPending(info.producerId)) return null;
            const consumer = await transport.consume({
              id: info.consumerId,
              producerId: info.producerId,
              kind: info.kind,
              rtpParameters: info.rtpParameters as types.RtpParameters,
              appData: { peerId: info.peerId, source: info.source },
            });
            media = { peerId: info.peerId, source: info.source, consumer, producerPaused: info.producerPaused };
          } catch (error) {
            if (!this.closed) console.warn(`could not consume producer ${info.producerId}`, error);
          }
          if (this.closed) media?.consumer.close();
          else this.remote.complete(info.producerId, media);
          return this.closed ? null : media;
        }),
      );
      this.changed();
      const live = created.filter((m): m is RemoteMedia => m !== null && !m.consumer.closed);
      if (this.closed || live.length === 0) continue;
      await this.signaling.request('resumeConsumers', { consumerIds: live.map((m) => m.consumer.id) }).catch((error) => {
        console.warn('could not resume consumers', error);
      });
      for (const m of live) if (m.source === 'camera') await this.videoSubscriptions.apply(m.peerId, m.consumer);
    }
  }

  async consume(peerId: string, producer: ProducerInfo): Promise<void> {
    if (this.remote.deferIfMuted(peerId, producer) || !this.remote.begin(peerId, producer.id)) return;
    return this.consumeStarted(peerId, producer);
  }

  /** The single-producer path (SIG-5) for a producer already marked pending in RemotePeers. */
  private async consumeStarted(peerId: string, producer: ProducerInfo): Promise<void> {
    let media: RemoteMedia | null = null;
    try {
      await this.recvReady;
      if (this.closed || !this.recvTransport || !this.remote.isPending(producer.id)) return;
      const info = await this.signaling.request('consume', { transportId: this.recvTransport.id, producerId: producer.id });
      const consumer = await this.recvTransport.consume({
        id: info.consumerId,
        producerId: info.producerId,
        kind: info.kind,
        rtpParameters: info.rtpParameters as types.RtpParameters,
        appData: { peerId: info.peerId, source: info.source },
      });
      media = { peerId, source: info.source, consumer, producerPaused: info.producerPaused };
    } catch (error) {
      if (!this.closed) console.warn(`could not consume producer ${producer.id}`, error);
    } finally {
      if (!this.closed && this.remote.complete(producer.id, media)) this.changed();
      else if (this.closed) media?.consumer.close();
    }
    if (media && !this.closed && !media.consumer.closed) {
      await this.signaling.request('resumeConsumer', { consumerId: media.consumer.id }).catch((error) => {
        console.warn(`could not resume consumer ${media?.consumer.id}`, error);
      });
      if (media.source === 'camera') await this.videoSubscriptions.apply(peerId, media.consumer);
    }
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const restarter of this.restarters) restarter.close();
    this.remote.close();
    for (const producer of this.producers.values()) producer.close();
    this.producers.clear();
    this.sendTransport?.close();
    this.recvTransport?.close();
    this.markRecvReady();
  }

  private async createTransport(direction: 'send' | 'recv'): Promise<types.Transport> {
    const info = await this.signaling.request('createTransport', { direction });
    if (this.closed) throw new ClientError('UNAVAILABLE', 'the media connection was closed');
    const options: types.TransportOptions = {
      id: info.id,
      iceParameters: info.iceParameters as types.IceParameters,
      iceCandidates: info.iceCandidates as unknown as types.IceCandidate[],
      dtlsParameters: info.dtlsParameters as types.DtlsParameters,
      // REACH-4/5: TURN, when the server offers it (short-lived credentials of this join).
      iceServers: this.answer.iceServers,
    };
    const transport = direction === 'send' ? this.device.createSendTransport(options) : this.device.createRecvTransport(options);
    transport.on('connect', ({ dtlsParameters }, callback, errback) => {
      const params = dtlsParameters as RequestData<'connectTransport'>['dtlsParameters'];
      this.signaling
        .request('connectTransport', { transportId: transport.id, dtlsParameters: params })
        .then(() => callback(), (error) => errback(ClientError.from(error)));
    });
    transport.on('produce', ({ kind, rtpParameters, appData }, callback, errback) => {
      const params = rtpParameters as RequestData<'produce'>['rtpParameters'];
      this.signaling
        .request('produce', { transportId: transport.id, kind, rtpParameters: params, source: appData.source as MediaSource, paused: appData.paused === true })
        .then(({ producerId }) => callback({ id: producerId }), (error) => errback(ClientError.from(error)));
    });
    this.restarters.push(
      new IceRestarter(transport, {
        fetchIceParameters: async (transportId) => (await this.signaling.request('restartIce', { transportId })).iceParameters as types.IceParameters,
        canRestart: () => this.signaling.connected && !this.signaling.held,
        onChange: this.changed,
      }),
    );
    return transport;
  }
}
