import { Device, type types } from 'mediasoup-client';
import { can, type ErrorPayload, type MediaSource, type ProducerInfo, type RequestData } from '@nomades/shared';
import { ClientError } from './ClientError';
import { ModerationClient } from './ModerationClient';
import { RemotePeers, type RemoteMedia } from './RemotePeers';
import { SignalingClient } from './SignalingClient';
import { SpeakerState } from './SpeakerState';
import { TypedEmitter } from './TypedEmitter';
import { CAMERA_SIMULCAST, VideoSubscriptions, type TileViewport } from './VideoSubscriptions';
import { acquireTracks } from './userMedia';
import type { JoinOptions, RoomClientEvents, RoomClientOptions, RoomPhase, RoomSnapshot, SelfView } from './RoomClientTypes';

type LocalSource = MediaSource;

/**
 * One participation in a room. Owns the socket, the mediasoup Device, both transports, the local
 * tracks and producers, and the consumers of everyone else. Microphone off = producer paused;
 * camera off = producer closed and track stopped (turning it on produces a new one).
 * close() is idempotent and tears everything down; nothing is sent after it.
 */
export class RoomClient extends TypedEmitter<RoomClientEvents> {
  private readonly signaling: SignalingClient;
  /** Lobby, roles, hands and host commands (its own snapshot for the UI). */
  readonly moderation: ModerationClient;
  private readonly device = new Device();
  private readonly remote = new RemotePeers();
  private readonly videoSubscriptions: VideoSubscriptions;
  /** Who speaks (active speaker, audio levels): a store of its own, updated twice a second. */
  readonly speakers: SpeakerState;
  private phase: RoomPhase = 'idle';
  private self: SelfView | null = null;
  private sendTransport: types.Transport | null = null;
  private recvTransport: types.Transport | null = null;
  private readonly producers = new Map<LocalSource, types.Producer>();
  private readonly tracks = new Map<LocalSource, MediaStreamTrack>();
  private micOn = false;
  private warning: string | null = null;
  private recording = false;
  private closeReason: ErrorPayload | null = null;
  private leaving = false;
  private markRecvReady!: () => void;
  private readonly recvReady = new Promise<void>((resolve) => (this.markRecvReady = resolve));
  /** Serializes microphone and camera operations. */
  private mediaQueue: Promise<unknown> = Promise.resolve();
  private snapshot: RoomSnapshot;

  /** The room token (the whiteboard and chat authenticate with it too). */
  readonly token: string;

  constructor({ url, roomId, token }: RoomClientOptions) {
    super();
    this.token = token;
    this.signaling = new SignalingClient({ url, auth: { token, roomId } });
    this.moderation = new ModerationClient(this.signaling);
    this.speakers = new SpeakerState(this.signaling);
    this.videoSubscriptions = new VideoSubscriptions(this.signaling, (peerId) => this.remote.videoConsumersOf(peerId));
    this.snapshot = this.buildSnapshot();
  }

  get closed(): boolean {
    return this.phase === 'closed';
  }

  readonly getSnapshot = (): RoomSnapshot => this.snapshot;
  readonly subscribe = (listener: () => void): (() => void) => this.on('change', listener);

  /** Connects, joins, sets up media. Rejects with a ClientError (its code says why) if joining fails. */
  async join({ mic, camera }: JoinOptions): Promise<void> {
    if (this.phase !== 'idle') throw new ClientError('ALREADY_JOINED', 'join() was already called');
    this.setPhase('joining');
    try {
      const local = await acquireTracks({ audio: true, video: camera });
      if (local.audio) this.tracks.set('microphone', local.audio);
      if (local.video) this.tracks.set('camera', local.video);
      this.warning = local.error;
      this.assertOpen();
      this.listen();
      await this.signaling.connect();
      const joined = await this.moderation.join(); // waits in the lobby if there is one
      this.assertOpen();
      this.self = { peerId: joined.peerId, displayName: joined.displayName, role: joined.role };
      for (const peer of joined.peers) this.remote.upsertPeer(peer);
      this.changed();
      await this.device.load({ routerRtpCapabilities: joined.routerRtpCapabilities as types.RtpCapabilities });
      const rtpCapabilities = this.device.rtpCapabilities as RequestData<'setRtpCapabilities'>['rtpCapabilities'];
      await this.signaling.request('setRtpCapabilities', { rtpCapabilities });
      this.recvTransport = await this.createTransport('recv');
      this.sendTransport = await this.createTransport('send');
      this.markRecvReady();
      for (const peer of joined.peers) for (const producer of peer.producers) void this.consume(peer.id, producer);
      // An attendee publishes nothing until promoted (ROLE-3).
      for (const source of ['microphone', 'camera'] as const) {
        if (can(joined.role, source)) continue;
        this.tracks.get(source)?.stop();
        this.tracks.delete(source);
      }
      const micTrack = this.tracks.get('microphone');
      if (micTrack) await this.produce('microphone', micTrack, !mic);
      this.micOn = Boolean(micTrack) && mic;
      const cameraTrack = this.tracks.get('camera');
      if (cameraTrack) await this.produce('camera', cameraTrack, false);
      this.assertOpen();
      this.setPhase('joined');
    } catch (error) {
      if (this.closed && !this.closeReason) return; // closed by the caller while joining
      const failure = this.closeReason
        ? new ClientError(this.closeReason.code, this.closeReason.message)
        : ClientError.from(error, 'UNAVAILABLE');
      this.close(failure.toPayload());
      throw failure;
    }
  }

  setMicEnabled(on: boolean): Promise<void> {
    return this.enqueue(async () => {
      const producer = this.producers.get('microphone');
      if (!producer) {
        if (!on) return;
        const track = await this.acquire('audio');
        if (track) await this.produce('microphone', track, false);
        this.micOn = Boolean(track);
        return this.changed();
      }
      if (on) producer.resume();
      else producer.pause();
      this.micOn = on;
      this.changed();
      try {
        await this.signaling.request(on ? 'resumeProducer' : 'pauseProducer', { producerId: producer.id });
      } catch (error) {
        if (on) producer.pause(), (this.micOn = false); // e.g. MEDIA_LOCKED: a host locked it
        this.warn(`Could not ${on ? 'unmute' : 'mute'} the microphone: ${ClientError.from(error).message}`);
      }
    });
  }

  setCameraEnabled(on: boolean): Promise<void> {
    return this.enqueue(async () => {
      if (on === this.producers.has('camera')) return;
      if (!on) return this.stopLocal('camera');
      const track = await this.acquire('video');
      if (track) await this.produce('camera', track, false);
    });
  }

  /** Tells the server we leave (best effort), then closes. */
  async leave(): Promise<void> {
    if (this.closed || this.leaving) return;
    this.leaving = true;
    if (this.phase === 'joined') await this.signaling.request('leave', {}, 2_000).catch(() => undefined);
    this.close(null);
  }

  close(reason: ErrorPayload | null = null): void {
    if (this.closed) return;
    const wasJoined = this.phase === 'joined';
    this.phase = 'closed';
    this.closeReason = reason;
    this.signaling.close();
    this.moderation.close();
    this.remote.close();
    for (const producer of this.producers.values()) producer.close();
    this.producers.clear();
    for (const track of this.tracks.values()) track.stop();
    this.tracks.clear();
    this.sendTransport?.close();
    this.recvTransport?.close();
    this.markRecvReady();
    this.changed();
    if (wasJoined) this.emit('closed', reason);
    this.removeAllListeners();
  }

  private listen(): void {
    const s = this.signaling;
    s.on('peerJoined', ({ peer }) => {
      this.remote.upsertPeer(peer);
      this.changed();
      for (const producer of peer.producers) void this.consume(peer.id, producer);
    });
    s.on('peerLeft', ({ peerId }) => {
      this.remote.removePeer(peerId);
      this.changed();
    });
    s.on('newProducer', ({ peerId, producerId, kind, source, paused }) => {
      if (!this.remote.hasPeer(peerId)) this.remote.upsertPeer({ id: peerId, displayName: 'Participant', role: 'participant' });
      void this.consume(peerId, { id: producerId, kind, source, paused });
    });
    s.on('producerClosed', ({ producerId }) => this.remote.closeMedia(producerId) && this.changed());
    s.on('consumerClosed', ({ producerId }) => this.remote.closeMedia(producerId) && this.changed());
    s.on('producerPaused', ({ producerId }) => this.remote.setProducerPaused(producerId, true) && this.changed());
    s.on('producerResumed', ({ producerId }) => {
      const woken = this.remote.wake(producerId);
      if (woken) void this.consume(woken.peerId, woken.producer);
      else if (this.remote.setProducerPaused(producerId, false)) this.changed();
    });
    s.on('closing', ({ error }) => this.close(error));
    s.on('recording', ({ active }) => {
      this.recording = active;
      this.changed();
    });
    this.moderation.on('muted', (source) => {
      if (source === 'camera') return void this.enqueue(() => this.stopLocal('camera'));
      if (source === 'screen') return void this.enqueue(() => this.stopScreen());
      if (source !== 'microphone') return;
      this.producers.get('microphone')?.pause();
      this.micOn = false;
      this.changed();
    });
    this.moderation.on('role', (role) => {
      if (this.self) this.self = { ...this.self, role };
      if (role === 'attendee') {
        void this.enqueue(() => this.stopLocal('microphone').then(() => this.stopLocal('camera')).then(() => this.stopScreen()));
      }
      this.changed();
    });
    s.onDisconnect((reason) => {
      this.close(this.leaving ? null : { code: 'UNAVAILABLE', message: `Disconnected from the server (${reason}).` });
    });
  }

  private async createTransport(direction: 'send' | 'recv'): Promise<types.Transport> {
    const info = await this.signaling.request('createTransport', { direction });
    this.assertOpen();
    const options: types.TransportOptions = {
      id: info.id,
      iceParameters: info.iceParameters as types.IceParameters,
      iceCandidates: info.iceCandidates as unknown as types.IceCandidate[],
      dtlsParameters: info.dtlsParameters as types.DtlsParameters,
    };
    const transport = direction === 'send' ? this.device.createSendTransport(options) : this.device.createRecvTransport(options);
    transport.on('connect', ({ dtlsParameters }, callback, errback) => {
      const params = dtlsParameters as RequestData<'connectTransport'>['dtlsParameters'];
      this.signaling
        .request('connectTransport', { transportId: transport.id, dtlsParameters: params })
        .then(() => callback(), (error) => errback(ClientError.from(error)));
    });
    transport.on('produce', ({ kind, rtpParameters, appData }, callback, errback) => {
      const source = appData.source as LocalSource;
      const params = rtpParameters as RequestData<'produce'>['rtpParameters'];
      this.signaling
        .request('produce', { transportId: transport.id, kind, rtpParameters: params, source, paused: appData.paused === true })
        .then(({ producerId }) => callback({ id: producerId }), (error) => errback(ClientError.from(error)));
    });
    transport.on('connectionstatechange', (state) => {
      if (state === 'failed') this.close({ code: 'MEDIA_ERROR', message: `The ${direction} media connection failed.` });
    });
    return transport;
  }

  private async produce(source: LocalSource, track: MediaStreamTrack, paused: boolean): Promise<void> {
    if (!this.sendTransport) return;
    this.tracks.set(source, track);
    try {
      const producer = await this.sendTransport.produce({
        track,
        stopTracks: false,
        appData: { source, paused },
        // A muted microphone sends nothing and encodes nothing (SIG-10).
        zeroRtpOnPause: source === 'microphone',
        codecOptions: source === 'microphone' ? { opusDtx: true, opusFec: true } : { videoGoogleStartBitrate: 1000 },
        encodings: source === 'camera' ? CAMERA_SIMULCAST : undefined,
      });
      if (this.closed) return producer.close();
      if (paused) producer.pause();
      this.producers.set(source, producer);
      producer.on('trackended', () => {
        // Screen sharing ends from the browser's own "Stop sharing" button: not a problem.
        if (source === 'screen' || source === 'screen-audio') return void this.enqueue(() => this.stopScreen());
        this.warn(`Your ${source === 'camera' ? 'camera' : 'microphone'} stopped.`);
        void this.enqueue(() => this.stopLocal(source));
      });
    } catch (error) {
      if (this.closed) return;
      this.tracks.delete(source);
      track.stop();
      this.warn(`Could not send your ${source}: ${ClientError.from(error).message}`);
    }
    this.changed();
  }

  /** Shares a screen, window or tab (with its sound when the browser offers it), or stops. */
  setScreenShareEnabled(on: boolean): Promise<void> {
    return this.enqueue(async () => {
      if (on === this.tracks.has('screen')) return;
      if (!on) return this.stopScreen();
      let stream: MediaStream;
      try {
        stream = await navigator.mediaDevices.getDisplayMedia({ video: true, audio: true });
      } catch (error) {
        return this.warn(`Screen sharing did not start: ${error instanceof Error ? error.message : String(error)}`);
      }
      const [video] = stream.getVideoTracks();
      const [audio] = stream.getAudioTracks();
      if (!video || this.closed) return stream.getTracks().forEach((t) => t.stop());
      video.contentHint = 'detail';
      await this.produce('screen', video, false);
      if (!this.producers.has('screen')) return audio?.stop(); // refused (e.g. someone else shares)
      if (audio) await this.produce('screen-audio', audio, false);
    });
  }

  private async stopScreen(): Promise<void> {
    await this.stopLocal('screen-audio');
    await this.stopLocal('screen');
  }

  private async stopLocal(source: LocalSource): Promise<void> {
    const producer = this.producers.get(source);
    this.producers.delete(source);
    this.tracks.get(source)?.stop();
    this.tracks.delete(source);
    if (source === 'microphone') this.micOn = false;
    this.changed();
    if (!producer) return;
    producer.close();
    await this.signaling.request('closeProducer', { producerId: producer.id }).catch(() => undefined);
  }

  private async consume(peerId: string, producer: ProducerInfo): Promise<void> {
    if (this.remote.deferIfMuted(peerId, producer) || !this.remote.begin(peerId, producer.id)) return;
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

  /** A remote tile's visibility and size changed: receive only what is shown (SIG-8). */
  setTileViewport(peerId: string, viewport: TileViewport): void {
    if (!this.closed) this.videoSubscriptions.setViewport(peerId, viewport);
  }

  private async acquire(kind: 'audio' | 'video'): Promise<MediaStreamTrack | null> {
    const local = await acquireTracks({ audio: kind === 'audio', video: kind === 'video' });
    const track = local[kind];
    if (local.error) this.warn(local.error);
    if (track && this.closed) {
      track.stop();
      return null;
    }
    return track;
  }

  private enqueue(operation: () => Promise<void>): Promise<void> {
    const run = this.mediaQueue.then(() => (this.phase === 'joined' ? operation() : undefined));
    this.mediaQueue = run.catch(() => undefined);
    return run;
  }

  private assertOpen(): void {
    if (this.closed) throw new ClientError('UNAVAILABLE', 'the session was closed');
  }

  private warn(message: string): void {
    this.warning = message;
    this.changed();
  }

  private setPhase(phase: RoomPhase): void {
    this.phase = phase;
    this.changed();
  }

  private changed(): void {
    this.snapshot = this.buildSnapshot();
    this.emit('change');
  }

  private buildSnapshot(): RoomSnapshot {
    const camera = this.tracks.get('camera') ?? null;
    return {
      phase: this.phase,
      self: this.self,
      peers: this.remote.views(),
      micOn: this.micOn && this.producers.has('microphone'),
      cameraOn: Boolean(camera),
      localVideoTrack: camera,
      localScreenTrack: this.tracks.get('screen') ?? null,
      warning: this.warning,
      closeReason: this.closeReason,
      recording: this.recording,
    };
  }
}
