import { Device, type types as msc } from 'mediasoup-client';
import type { Socket } from 'socket.io-client';
import { BATCH_LIMITS, type ConsumerInfo, type NotificationData, type PeerInfo, type ProducerInfo, type ResponseData } from '@nomades/shared';
import { connectSocket, request, RequestError } from './signalingClient.js';
import { SyntheticMedia } from './SyntheticMedia.js';
import { waitFor } from './waitFor.js';
import { wrtc } from './wrtcGlobals.js';

export interface RemoteTrackStats {
  peerId: string;
  kind: 'audio' | 'video';
  consumerId: string;
  producerId: string;
  closed: boolean;
  /** Paused here (SIG-10: the audio of a muted microphone is not decoded). */
  paused: boolean;
  /** Decoded video frames / received audio chunks, counted by wrtc sinks. */
  frames: number;
}

/**
 * A participant in Node: real WebRTC (@roamhq/wrtc) through mediasoup-client, the same
 * signaling as the browser. Publishes synthetic audio and video, consumes every other producer.
 */
export class WrtcBot {
  readonly name: string;
  peerId = '';
  socket!: Socket;
  readonly device = new Device({ handlerName: 'Chrome111' });
  readonly remote = new Map<string, RemoteTrackStats>();
  readonly peers = new Map<string, PeerInfo>();
  /** Most remote videos consumed at once (a browser shows one page of tiles); audio is always consumed. */
  videoLimit = Number.POSITIVE_INFINITY;
  /**
   * Consume the cameras beyond videoLimit too, and leave them paused, as the browser does with the
   * tiles off screen (SIG-8): the join then costs what a browser's does (benchmarks).
   */
  consumeOffPage = false;
  /** With publish, whether the camera is on too (the microphone always is). */
  publishVideo = true;
  /** Publish the camera as 3 simulcast layers (960×540, 480×270, 240×135) instead of one 320×240 stream. */
  simulcast = false;
  /** Peak amplitude of the published 440 Hz tone (0: silence). */
  toneAmplitude = 8000;
  /**
   * Above 0, publish a sync marker instead of the tone and the moving picture: a dark picture that
   * flashes white, and a 1 kHz beep at the same instant, every markerPeriodMs (SyntheticMedia).
   */
  markerPeriodMs = 0;
  /** Camera size and frame rate when not simulcast. */
  video = { width: 320, height: 240, fps: 15 };
  /** Publish the microphone paused (muted), as most participants of a large meeting do. */
  micMuted = false;
  /**
   * Count received audio chunks with a sink per audio consumer (100 callbacks/s each). A load
   * test turns it off: with 49 audio consumers per bot the callbacks alone would saturate the
   * bots' event loop; audio is then measured from the RTP statistics.
   */
  audioSinks = true;
  /** With audioSinks: every decoded 10 ms chunk of remote audio (PCM, interleaved when stereo). */
  onAudioData?: (stats: RemoteTrackStats, data: { samples: Int16Array; sampleRate: number; channelCount: number; numberOfFrames: number }) => void;
  /**
   * Count every decoded remote video frame with a sink (each frame is copied into JS). A load test
   * keeps the sink only until the first frame (join time) and reads framesDecoded from the stats.
   */
  videoSinks: 'every-frame' | 'first-frame' = 'every-frame';
  /** Times (ms since epoch) for join-time measurements. */
  joinStartedAt = 0;
  /** The code of the server's `closing` notification, if it ended this session. */
  closedBy?: string;
  firstRemoteFrameAt = 0;
  /** Milliseconds from joinStartedAt at which each step of `join` ended (benchmarks print them). */
  readonly joinSteps: Array<[step: string, ms: number]> = [];
  /** When the room has a lobby: wait there (up to lobbyTimeoutMs) for a host to admit this bot. */
  waitInLobby = false;
  lobbyTimeoutMs = 20_000;
  /** Set once the server answered IN_LOBBY. */
  wasInLobby = false;
  /** SIG-13: the credential of the next resume, and the seq of the last notification handled. */
  resumeToken = '';
  lastSeq = 0;
  /**
   * How `join` consumes the producers already in the room: `batch`, one consumeMany and one
   * resumeConsumers (SIG-17, per BATCH_LIMITS.maxIdsPerBatch producers); `single`, one consume and
   * one resumeConsumer per producer (the former path, for benchmarks).
   */
  consumeMode: 'batch' | 'single' = 'batch';
  /** Requests this bot sent, by name, on all its sockets; and their total when `join` ended. */
  readonly sent = new Map<string, number>();
  requestsAtJoin = 0;
  /** When each transport first reached `connected` (ICE and DTLS), ms since epoch; 0 until then. */
  sendConnectedAt = 0;
  recvConnectedAt = 0;
  /** Peers announced as reconnecting (SIG-13) and not yet back; peers that left, in order. */
  readonly reconnecting = new Set<string>();
  readonly left: string[] = [];
  /** MEDIA-4: every `mediaScores` notification received, in order, with its arrival time. */
  readonly mediaScores: Array<NotificationData<'mediaScores'> & { at: number }> = [];
  #url = '';
  #roomId = '';
  #token = '';
  #send?: msc.Transport;
  #recv?: msc.Transport;
  #media?: SyntheticMedia;
  #mic?: msc.Producer;
  readonly #consumers = new Map<string, msc.Consumer>();
  /** Latest known pause state of each consumed producer (consume answers and notifications). */
  readonly #producerPaused = new Map<string, boolean>();
  /** Microphones muted when first seen: consumed when they first unmute (SIG-10). */
  readonly #dormant = new Set<string>();
  #videoSlots = 0;
  readonly #sinks: Array<{ stop(): void }> = [];
  /** Cameras consumed beyond videoLimit (consumeOffPage): never resumed here. */
  readonly #offPage = new Set<string>();
  /** consumerClosed notifications that arrived before the consumer was set up here. */
  readonly #closedEarly = new Set<string>();
  #closed = false;

  constructor(name: string) {
    this.name = name;
  }

  async join(url: string, roomId: string, token: string, publish = true): Promise<void> {
    this.joinStartedAt = Date.now();
    this.#url = url;
    this.#roomId = roomId;
    this.#token = token;
    const step = (name: string) => this.joinSteps.push([name, Date.now() - this.joinStartedAt]);
    this.socket = await connectSocket(url, { token, roomId });
    step('connect');
    this.#count(this.socket);
    this.#listen(this.socket);
    const joined = await this.#joinRequest();
    step('join');
    this.peerId = joined.peerId;
    this.resumeToken = joined.resumeToken;
    for (const p of joined.peers) this.peers.set(p.id, p);
    await this.device.load({ routerRtpCapabilities: joined.routerRtpCapabilities as msc.RtpCapabilities });
    step('device');
    await request(this.socket, 'setRtpCapabilities', { rtpCapabilities: this.device.rtpCapabilities as never });
    this.#recv = await this.#createTransport('recv');
    if (publish) this.#send = await this.#createTransport('send');
    step('transports');
    if (publish) {
      const { width, height, fps } = this.simulcast ? { width: 960, height: 540, fps: 15 } : this.video;
      this.#media = new SyntheticMedia(width, height, fps, this.toneAmplitude, this.markerPeriodMs);
      const mic = (this.#mic = await this.#send!.produce({
        track: this.#media.audioTrack,
        zeroRtpOnPause: true,
        appData: { source: 'microphone', paused: this.micMuted },
      }));
      if (this.micMuted) mic.pause(); // the server producer is created paused too: nothing is sent
      const encodings = this.simulcast
        ? [
            { scaleResolutionDownBy: 4, maxBitrate: 100_000 },
            { scaleResolutionDownBy: 2, maxBitrate: 300_000 },
            { scaleResolutionDownBy: 1, maxBitrate: 900_000 },
          ]
        : undefined;
      if (this.publishVideo) await this.#send!.produce({ track: this.#media.videoTrack, encodings, appData: { source: 'camera' } });
      step('produce');
    }
    const present = joined.peers.flatMap((p) => p.producers);
    if (this.consumeMode === 'batch') await this.#consumeBatch(present);
    // In parallel, as the browser does: mediasoup-client then renegotiates once per batch.
    else await Promise.all(present.map((producer) => this.#consume(producer.id, producer.kind, producer.paused).catch(ignoreGone)));
    step('consume');
    this.requestsAtJoin = [...this.sent.values()].reduce((a, b) => a + b, 0);
  }

  /** Counts the requests sent on `socket` (every emit of a client is a request). */
  #count(socket: Socket): void {
    socket.onAnyOutgoing((name: string) => this.sent.set(name, (this.sent.get(name) ?? 0) + 1));
  }

  /**
   * Subscribes to the room's notifications on `socket`. Numbered ones (SIG-13: `emit(name, data,
   * seq)`) are handled once: a replayed seq at or below lastSeq is dropped.
   */
  #listen(socket: Socket): void {
    const on = <T>(name: string, handler: (data: T) => void) =>
      socket.on(name, (data: T, seq?: number) => {
        if (typeof seq === 'number') {
          if (seq <= this.lastSeq) return;
          this.lastSeq = seq;
        }
        handler(data);
      });
    on('newProducer', (p: NotificationData<'newProducer'>) => void this.#consume(p.producerId, p.kind, p.paused).catch(() => {}));
    on('closing', ({ error }: NotificationData<'closing'>) => (this.closedBy = error.code));
    on('mediaScores', (scores: NotificationData<'mediaScores'>) => this.mediaScores.push({ ...scores, at: Date.now() }));
    on('peerJoined', ({ peer }: NotificationData<'peerJoined'>) => this.peers.set(peer.id, peer));
    on('peerLeft', ({ peerId }: NotificationData<'peerLeft'>) => {
      this.peers.delete(peerId);
      this.left.push(peerId);
    });
    on('peerReconnecting', ({ peerId }: NotificationData<'peerReconnecting'>) => this.reconnecting.add(peerId));
    on('peerReconnected', ({ peerId }: NotificationData<'peerReconnected'>) => this.reconnecting.delete(peerId));
    // SIG-10, as the browser does: a microphone muted when first seen is consumed when it first
    // unmutes; once consumed, a muted microphone's consumer is paused here too (no decoding).
    on('producerPaused', ({ producerId }: NotificationData<'producerPaused'>) => this.#followPause(producerId, true));
    on('producerResumed', ({ producerId }: NotificationData<'producerResumed'>) => {
      if (this.#dormant.delete(producerId)) {
        this.#producerPaused.set(producerId, false);
        void this.#consume(producerId, 'audio').catch(() => {});
      } else this.#followPause(producerId, false);
    });
    on('consumerClosed', ({ consumerId }: NotificationData<'consumerClosed'>) => {
      const stats = this.remote.get(consumerId);
      if (stats) stats.closed = true;
      const consumer = this.#consumers.get(consumerId);
      if (consumer) consumer.close();
      else this.#closedEarly.add(consumerId); // its consume answer is still on its way
    });
  }

  /**
   * SIG-13: a new socket takes over this participant (the old one lost or cut), with the
   * credential of the last join or resume and the last seq seen; then an ICE restart of both
   * transports (SIG-14), as the browser does. Rejects with RequestError (RESUME_FAILED).
   */
  async resume(url = this.#url): Promise<ResponseData<'resume'>> {
    const socket = await connectSocket(url, { token: this.#token, roomId: this.#roomId });
    this.#count(socket);
    this.#listen(socket);
    let answer: ResponseData<'resume'>;
    try {
      answer = await request(socket, 'resume', { peerId: this.peerId, resumeToken: this.resumeToken, lastSeq: this.lastSeq });
    } catch (error) {
      socket.close();
      throw error;
    }
    const old = this.socket;
    this.socket = socket;
    old.removeAllListeners();
    old.close();
    this.resumeToken = answer.resumeToken;
    for (const transport of [this.#send, this.#recv]) {
      if (!transport) continue;
      const { iceParameters } = await request(socket, 'restartIce', { transportId: transport.id });
      await transport.restartIce({ iceParameters: iceParameters as msc.IceParameters });
    }
    return answer;
  }

  /** Mutes or unmutes the microphone, as the browser does (local pause, then the server's producer). */
  async setMicMuted(muted: boolean): Promise<void> {
    if (!this.#mic) throw new Error(`${this.name} publishes no microphone`);
    if (muted) this.#mic.pause();
    else this.#mic.resume();
    await request(this.socket, muted ? 'pauseProducer' : 'resumeProducer', { producerId: this.#mic.id });
  }

  #followPause(producerId: string, paused: boolean): void {
    this.#producerPaused.set(producerId, paused);
    for (const consumer of this.#consumers.values()) {
      if (consumer.producerId === producerId && consumer.kind === 'audio') this.#setPaused(consumer, paused);
    }
  }

  #setPaused(consumer: msc.Consumer, paused: boolean): void {
    if (consumer.closed) return;
    if (paused) consumer.pause();
    else consumer.resume();
    const stats = this.remote.get(consumer.id);
    if (stats) stats.paused = paused;
  }

  /** `join`, and with waitInLobby, through the lobby: IN_LOBBY, then `lobbyAdmitted`, then `join` again. */
  async #joinRequest(): Promise<ResponseData<'join'>> {
    if (!this.waitInLobby) return request(this.socket, 'join', {});
    const admitted = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${this.name}: not admitted within ${this.lobbyTimeoutMs} ms`)), this.lobbyTimeoutMs);
      this.socket.once('lobbyAdmitted', () => (clearTimeout(timer), resolve()));
      this.socket.once('disconnect', () => (clearTimeout(timer), reject(new Error(`${this.name}: left the lobby (${this.closedBy ?? 'disconnected'})`))));
    });
    admitted.catch(() => undefined);
    try {
      return await request(this.socket, 'join', {});
    } catch (error) {
      if (!(error instanceof RequestError) || error.error.code !== 'IN_LOBBY') throw error;
    }
    this.wasInLobby = true;
    await admitted;
    return request(this.socket, 'join', {});
  }

  async #createTransport(direction: 'send' | 'recv'): Promise<msc.Transport> {
    const params = await request(this.socket, 'createTransport', { direction });
    const options = params as unknown as msc.TransportOptions;
    const transport = direction === 'send' ? this.device.createSendTransport(options) : this.device.createRecvTransport(options);
    transport.on('connectionstatechange', (state) => {
      if (state !== 'connected') return;
      if (direction === 'send') this.sendConnectedAt ||= Date.now();
      else this.recvConnectedAt ||= Date.now();
    });
    transport.on('connect', ({ dtlsParameters }, done, fail) => {
      request(this.socket, 'connectTransport', { transportId: transport.id, dtlsParameters }).then(() => done(), fail);
    });
    transport.on('produce', ({ kind, rtpParameters, appData }, done, fail) => {
      request(this.socket, 'produce', {
        transportId: transport.id,
        kind,
        rtpParameters: rtpParameters as never,
        source: appData.source as 'microphone' | 'camera',
        paused: appData.paused === true,
      }).then(({ producerId }) => done({ id: producerId }), fail);
    });
    return transport;
  }

  /** Whether to consume a producer now (SIG-10: not a muted microphone; one page of videos); takes its video slot. */
  #admit(producerId: string, kind: 'audio' | 'video', paused: boolean): boolean {
    if (!this.#recv || this.#closed) return false;
    // A producerPaused/producerResumed that came after the join answer is the later state.
    if (kind === 'audio' && (this.#producerPaused.get(producerId) ?? paused)) {
      this.#dormant.add(producerId);
      return false;
    }
    if (kind === 'video') {
      if (this.#videoSlots >= this.videoLimit) {
        if (this.consumeOffPage) this.#offPage.add(producerId);
        return this.consumeOffPage;
      }
      this.#videoSlots++; // taken before awaiting: consumes run in parallel
    }
    return true;
  }

  async #consume(producerId: string, kind: 'audio' | 'video', paused = false): Promise<void> {
    if (!this.#admit(producerId, kind, paused)) return;
    const slot = kind === 'video' && !this.#offPage.has(producerId);
    let consumer: msc.Consumer | undefined;
    try {
      const c = await request(this.socket, 'consume', { transportId: this.#recv!.id, producerId });
      consumer = await this.#attach(c);
    } catch (error) {
      if (slot) this.#videoSlots--;
      throw error;
    }
    if (consumer && !this.#offPage.has(producerId)) await request(this.socket, 'resumeConsumer', { consumerId: consumer.id });
  }

  /**
   * SIG-17: the producers already in the room, consumed with one consumeMany per
   * BATCH_LIMITS.maxIdsPerBatch, set up here in parallel (one renegotiation), then resumed with one
   * resumeConsumers. Producers gone meanwhile (`missing`) are skipped.
   */
  async #consumeBatch(producers: ProducerInfo[]): Promise<void> {
    const wanted = producers.filter((p) => this.#admit(p.id, p.kind, p.paused));
    const video = new Set(wanted.filter((p) => p.kind === 'video' && !this.#offPage.has(p.id)).map((p) => p.id));
    const release = (producerId: string) => video.has(producerId) && this.#videoSlots--;
    for (let i = 0; i < wanted.length; i += BATCH_LIMITS.maxIdsPerBatch) {
      const producerIds = wanted.slice(i, i + BATCH_LIMITS.maxIdsPerBatch).map((p) => p.id);
      let answer: ResponseData<'consumeMany'>;
      try {
        answer = await request(this.socket, 'consumeMany', { transportId: this.#recv!.id, producerIds });
      } catch (error) {
        producerIds.forEach(release);
        throw error;
      }
      answer.missing.forEach(release);
      const consumers = await Promise.all(
        answer.consumers.map((c) =>
          this.#attach(c).catch((error: unknown) => {
            release(c.producerId);
            throw error;
          }),
        ),
      );
      const consumerIds = consumers.filter((c) => c !== undefined && !this.#offPage.has(c.producerId)).map((c) => c!.id);
      if (consumerIds.length > 0) await request(this.socket, 'resumeConsumers', { consumerIds });
    }
  }

  /**
   * This side of a consumer the server created (paused): its track, its stats and sinks. Returns
   * undefined when the server closed it meanwhile (its consumerClosed came before the answer).
   */
  async #attach(c: ConsumerInfo): Promise<msc.Consumer | undefined> {
    const { producerId } = c;
    this.#producerPaused.set(producerId, c.producerPaused);
    const consumer = await this.#recv!.consume({
      id: c.consumerId,
      producerId,
      kind: c.kind,
      rtpParameters: c.rtpParameters as msc.RtpParameters,
    });
    this.#consumers.set(consumer.id, consumer);
    if (c.kind === 'video' && !this.#offPage.has(producerId)) consumer.observer.once('close', () => this.#videoSlots--);
    const stats: RemoteTrackStats = { peerId: c.peerId, kind: c.kind, consumerId: c.consumerId, producerId, closed: false, paused: false, frames: 0 };
    this.remote.set(consumer.id, stats);
    if (this.#closedEarly.delete(consumer.id)) {
      stats.closed = true;
      consumer.close();
      return undefined;
    }
    if (c.kind === 'audio' && this.#producerPaused.get(producerId)) this.#setPaused(consumer, true);
    if (c.kind === 'video') {
      const sink = new wrtc.nonstandard.RTCVideoSink(consumer.track);
      sink.onframe = () => {
        if (stats.frames++ === 0 && !this.firstRemoteFrameAt) this.firstRemoteFrameAt = Date.now();
        if (this.videoSinks === 'first-frame') sink.stop();
      };
      this.#sinks.push(sink);
    } else if (this.audioSinks) {
      const sink = new wrtc.nonstandard.RTCAudioSink(consumer.track);
      sink.ondata = (data: { samples: Int16Array; sampleRate: number; channelCount: number; numberOfFrames: number }) => {
        stats.frames++;
        this.onAudioData?.(stats, data);
      };
      this.#sinks.push(sink);
    }
    return consumer;
  }

  /**
   * Bytes received so far on one consumer, from the receiving peer connection's inbound-rtp
   * stats (wrtc implements RTCPeerConnection.getStats, not RTCRtpReceiver.getStats).
   */
  async bytesReceived(consumerId: string): Promise<number> {
    const consumer = this.#consumers.get(consumerId);
    if (!consumer || consumer.closed || !this.#recv) return 0;
    let bytes = 0;
    (await this.#recv.getStats()).forEach((s: { type: string; trackIdentifier?: string; bytesReceived?: number }) => {
      if (s.type === 'inbound-rtp' && s.trackIdentifier === consumer.track.id) bytes += s.bytesReceived ?? 0;
    });
    return bytes;
  }

  /** What one video consumer currently receives: decoded size and frame count. */
  async inboundVideo(consumerId: string): Promise<{ frameWidth: number; frameHeight: number; framesDecoded: number }> {
    const consumer = this.#consumers.get(consumerId);
    const result = { frameWidth: 0, frameHeight: 0, framesDecoded: 0 };
    if (!consumer || !this.#recv) return result;
    (await this.#recv.getStats()).forEach((s: { type: string; trackIdentifier?: string; frameWidth?: number; frameHeight?: number; framesDecoded?: number }) => {
      if (s.type === 'inbound-rtp' && s.trackIdentifier === consumer.track.id) {
        result.frameWidth = s.frameWidth ?? 0;
        result.frameHeight = s.frameHeight ?? 0;
        result.framesDecoded = s.framesDecoded ?? 0;
      }
    });
    return result;
  }

  /** Totals over every inbound stream of this bot (for benchmarks). */
  async receiveTotals(): Promise<{ bytes: number; packets: number; packetsLost: number; framesDecoded: number }> {
    const totals = { bytes: 0, packets: 0, packetsLost: 0, framesDecoded: 0 };
    if (!this.#recv || this.#closed) return totals;
    (await this.#recv.getStats()).forEach(
      (s: { type: string; bytesReceived?: number; packetsReceived?: number; packetsLost?: number; framesDecoded?: number }) => {
        if (s.type !== 'inbound-rtp') return;
        totals.bytes += s.bytesReceived ?? 0;
        totals.packets += s.packetsReceived ?? 0;
        totals.packetsLost += Math.max(0, s.packetsLost ?? 0);
        totals.framesDecoded += s.framesDecoded ?? 0;
      },
    );
    return totals;
  }

  /** Open remote tracks, grouped by the peer that sends them. */
  tracksFrom(peerId: string): RemoteTrackStats[] {
    return [...this.remote.values()].filter((r) => r.peerId === peerId && !r.closed);
  }

  async leave(): Promise<void> {
    if (this.#closed) return;
    await request(this.socket, 'leave', {}, 3000).catch(() => {});
    this.close();
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const s of this.#sinks) s.stop();
    this.#media?.close();
    this.#send?.close();
    this.#recv?.close();
    this.socket?.close();
  }
}

/** A producer closed between the join answer and its consume (its peer left): nothing to receive. */
function ignoreGone(error: unknown): void {
  if (!(error instanceof RequestError) || error.error.code !== 'NOT_FOUND') throw error;
}

/**
 * An ordering barrier for "nothing more arrives" checks: waits until `control`, a video stream
 * that flows to the same receiver, has decoded `frames` more frames. A slow server or network
 * slows the control too, so a check made after it cannot pass merely because time was short.
 */
export async function controlAdvances(control: RemoteTrackStats, frames: number, what = 'control stream'): Promise<void> {
  const start = control.frames;
  await waitFor(`${what} decodes ${frames} more frames`, () => control.frames >= start + frames, 15_000, 20);
}
