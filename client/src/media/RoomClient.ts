import type { ErrorPayload, ReactionEmoji } from '@nomades/shared';
import { FirstMediaReport } from '../session/FirstMediaReport';
import { LocalMedia } from '../session/LocalMedia';
import { MediaConnection, type JoinAnswer } from '../session/MediaConnection';
import { MeetingSession } from '../session/MeetingSession';
import { ClientError } from './ClientError';
import type { Notice } from './Notice';
import { ModerationClient } from './ModerationClient';
import { QualityMonitor } from './QualityMonitor';
import { SignalingClient } from './SignalingClient';
import { PollState } from './PollState';
import { ReactionState } from './ReactionState';
import { SpeakerState } from './SpeakerState';
import { TypedEmitter } from './TypedEmitter';
import { VideoSubscriptions, type TileViewport } from './VideoSubscriptions';
import type { JoinOptions, RoomClientEvents, RoomClientOptions, RoomSnapshot, SelfView } from './RoomClientTypes';

/**
 * One person's meeting, as the UI sees it: one object and one snapshot for the whole meeting,
 * whatever the network does. It composes the parts of client/src/session/: MeetingSession (the
 * life of the participation: join, lobby, resume, full rejoin, end), LocalMedia (our tracks and
 * their states, published again after a rejoin) and the MediaConnection of the current
 * participation (device, transports, producers, the consumers of everyone else), plus the
 * moderation and speaker stores. close() is idempotent and tears everything down.
 */
export class RoomClient extends TypedEmitter<RoomClientEvents> {
  private readonly signaling: SignalingClient;
  /** Lobby, roles, hands and host commands (its own snapshot for the UI). */
  readonly moderation: ModerationClient;
  /** Who speaks (active speaker, audio levels): a store of its own, updated twice a second. */
  readonly speakers: SpeakerState;
  /** Reactions shown over the tiles (RCT-n): a store of its own; send with react(). */
  readonly reactions: ReactionState;
  /** Polls and questions (POLL-n, QUESTION-n): a store of its own. */
  readonly polls: PollState;
  /** Connection levels of every tile (MEDIA-5): a store of its own. */
  readonly quality: QualityMonitor;
  private readonly session: MeetingSession;
  private readonly local: LocalMedia;
  private readonly videoSubscriptions: VideoSubscriptions;
  /** OPS-3: the first remote media's arrival, reported once. */
  private readonly firstMedia: FirstMediaReport;
  private connection: MediaConnection | null = null;
  private self: SelfView | null = null;
  private warning: Notice | null = null;
  private recording = false;
  private recordingStatus: RoomSnapshot['recordingStatus'] = null;
  private leaving = false;
  private tornDown = false;
  private snapshot: RoomSnapshot;

  /** The room token (the whiteboard and chat authenticate with it too). */
  readonly token: string;

  constructor({ url, roomId, token }: RoomClientOptions) {
    super();
    this.token = token;
    this.signaling = new SignalingClient({ url, auth: { token, roomId } });
    this.moderation = new ModerationClient(this.signaling);
    this.firstMedia = new FirstMediaReport(this.signaling);
    this.speakers = new SpeakerState(this.signaling);
    this.reactions = new ReactionState(this.signaling);
    this.polls = new PollState(this.signaling);
    this.quality = new QualityMonitor(this.signaling, () => (this.connection?.closed === false ? this.connection : null));
    this.videoSubscriptions = new VideoSubscriptions(this.signaling, (peerId) => this.connection?.remote.videoConsumersOf(peerId) ?? []);
    this.local = new LocalMedia(this.signaling, { changed: () => this.changed(), warn: (notice) => this.warn(notice) });
    this.session = new MeetingSession(this.signaling, {
      setUp: (answer, rejoin) => this.setUp(answer, rejoin),
      resumed: () => this.connection?.restartIce(),
    });
    this.session.on('change', () => this.changed());
    this.session.on('ended', (reason) => this.ended(reason));
    this.listen();
    this.snapshot = this.buildSnapshot();
  }

  get closed(): boolean {
    return this.session.closed;
  }

  readonly getSnapshot = (): RoomSnapshot => this.snapshot;
  readonly subscribe = (listener: () => void): (() => void) => this.on('change', listener);

  /** Gets the camera and microphone, connects, joins. Rejects with a ClientError (its code says why) if joining fails. */
  async join(options: JoinOptions): Promise<void> {
    if (this.session.phase !== 'idle') throw new ClientError('ALREADY_JOINED', 'join() was already called');
    try {
      await this.local.acquire(options);
      if (this.closed) return; // closed by the caller meanwhile
      this.firstMedia.start();
      await this.session.start();
    } catch (error) {
      const failure = ClientError.from(error, 'UNAVAILABLE');
      this.close(failure.toPayload());
      throw failure;
    }
  }

  setMicEnabled(on: boolean): Promise<void> {
    return this.local.setMicEnabled(on);
  }

  setCameraEnabled(on: boolean): Promise<void> {
    return this.local.setCameraEnabled(on);
  }

  /** Another camera or microphone, without rejoining (remembered for the next join). */
  setDevice(kind: 'audioinput' | 'videoinput', deviceId: string): Promise<void> {
    return this.local.setDevice(kind, deviceId);
  }

  /** Shares a screen, window or tab (with its sound when the browser offers it), or stops. */
  setScreenShareEnabled(on: boolean): Promise<void> {
    return this.local.setScreenShareEnabled(on);
  }

  /** Sends a reaction (RCT-1); rejects with a ClientError, RATE_LIMITED past the burst (RCT-2). */
  react(emoji: ReactionEmoji): Promise<void> {
    return this.reactions.send(emoji);
  }

  /** A remote tile's visibility and size changed: receive only what is shown (SIG-8). */
  setTileViewport(peerId: string, viewport: TileViewport): void {
    if (!this.closed) this.videoSubscriptions.setViewport(peerId, viewport);
  }

  /** The recovery gave up (`stalled`): try again. */
  retry(): void {
    this.session.retry();
  }

  /** Tells the server we leave (best effort), then closes. */
  async leave(): Promise<void> {
    if (this.closed || this.leaving) return;
    this.leaving = true;
    if (this.session.phase === 'joined') await this.signaling.request('leave', {}, 2_000).catch(() => undefined);
    this.close(null);
  }

  close(reason: ErrorPayload | null = null): void {
    this.session.close(reason); // emits `ended` if the meeting had started
    this.tearDown();
    this.removeAllListeners();
  }

  /** A join was answered: this participation's media, and our media published on it. */
  private async setUp(answer: JoinAnswer, rejoin: boolean): Promise<void> {
    this.connection?.close();
    const connection = new MediaConnection(this.signaling, answer, this.videoSubscriptions, () => this.changed());
    this.connection = connection;
    this.self = { peerId: answer.peerId, displayName: answer.displayName, role: answer.role };
    this.moderation.joined(answer);
    void this.polls.refresh().catch(() => undefined); // POLL-8: asked again at the next join
    if (rejoin) this.recording = false; // told again by the server if it still records
    this.changed();
    await connection.open();
    await this.local.publish(connection, answer.role);
  }

  private ended(reason: ErrorPayload | null): void {
    this.tearDown();
    this.emit('closed', reason);
    this.removeAllListeners();
  }

  private tearDown(): void {
    if (this.tornDown) return;
    this.tornDown = true;
    this.moderation.close();
    this.reactions.close();
    this.polls.close();
    this.quality.close();
    this.connection?.close();
    this.local.close();
    this.changed();
  }

  /** Server notifications about the others go to the current participation's media. */
  private listen(): void {
    const s = this.signaling;
    const remote = () => this.connection?.remote;
    s.on('peerJoined', ({ peer }) => {
      const connection = this.connection;
      if (!connection) return;
      connection.remote.upsertPeer(peer);
      this.changed();
      for (const producer of peer.producers) void connection.consume(peer.id, producer);
    });
    s.on('peerLeft', ({ peerId }) => {
      remote()?.removePeer(peerId);
      this.changed();
    });
    s.on('peerReconnecting', ({ peerId }) => remote()?.setReconnecting(peerId, true) && this.changed());
    s.on('peerReconnected', ({ peerId }) => remote()?.setReconnecting(peerId, false) && this.changed());
    s.on('newProducer', ({ peerId, producerId, kind, source, paused }) => {
      const connection = this.connection;
      if (!connection) return;
      if (!connection.remote.hasPeer(peerId)) connection.remote.upsertPeer({ id: peerId, displayName: 'Participant', role: 'participant' });
      void connection.consume(peerId, { id: producerId, kind, source, paused });
    });
    s.on('producerClosed', ({ producerId }) => remote()?.closeMedia(producerId) && this.changed());
    s.on('consumerClosed', ({ producerId }) => remote()?.closeMedia(producerId) && this.changed());
    s.on('producerPaused', ({ producerId }) => remote()?.setProducerPaused(producerId, true) && this.changed());
    s.on('producerResumed', ({ producerId }) => {
      const woken = remote()?.wake(producerId);
      if (woken) void this.connection?.consume(woken.peerId, woken.producer);
      else if (remote()?.setProducerPaused(producerId, false)) this.changed();
    });
    s.on('recordingStatus', ({ status }) => {
      this.recordingStatus = status;
      this.changed();
    });
    s.on('recording', ({ active, refused }) => {
      this.recording = active;
      if (refused) this.warn({ code: 'recordingRefused' });
      this.changed();
    });
    this.moderation.on('muted', (source) => this.local.stoppedByHost(source));
    this.moderation.on('role', (role) => {
      if (this.self) this.self = { ...this.self, role };
      this.local.roleChanged(role);
      this.changed();
    });
  }

  private warn(notice: Notice): void {
    this.warning = notice;
    this.changed();
  }

  private changed(): void {
    this.snapshot = this.buildSnapshot();
    this.firstMedia.watch(this.snapshot.peers.flatMap((p) => [p.videoTrack, p.screenTrack, ...p.audioTracks]));
    this.emit('change');
  }

  private buildSnapshot(): RoomSnapshot {
    const phase = this.session.phase;
    return {
      phase,
      node: this.signaling.node,
      self: this.self,
      peers: this.connection?.remote.views() ?? [],
      ...this.local.view(),
      warning: this.warning,
      closeReason: this.session.closeReason,
      reconnecting: phase === 'reconnecting' || (phase === 'joined' && Boolean(this.connection?.recovering)),
      stalled: this.session.stalled,
      recording: this.recording,
      recordingStatus: this.recordingStatus,
    };
  }
}
