import { can, type MediaSource, type Role } from '@nomades/shared';
import { ClientError } from '../media/ClientError';
import type { Notice } from '../media/Notice';
import type { SignalingClient } from '../media/SignalingClient';
import { devicePreferences } from '../media/DevicePreferences';
import { acquireTracks } from '../media/userMedia';
import { BackgroundCamera } from '../media/effects/BackgroundCamera';
import { NoiseSuppressor } from '../media/effects/NoiseSuppressor';
import { noiseSuppression } from '../media/effects/NoiseSuppressionPreference';
import type { MediaConnection } from './MediaConnection';

export interface LocalMediaView {
  micOn: boolean;
  cameraOn: boolean;
  /** The camera as sent (its background blurred or replaced when the agent chose so). */
  localVideoTrack: MediaStreamTrack | null;
  /** The camera's own track (its device is the one selected). */
  localCameraTrack: MediaStreamTrack | null;
  localScreenTrack: MediaStreamTrack | null;
  /** The microphone track, sent or not (its device is the one selected). */
  localAudioTrack: MediaStreamTrack | null;
  /** What is sent of the microphone (for the level meter): the noise-suppressed track while that runs. */
  localAudioSentTrack: MediaStreamTrack | null;
  /** The microphone is noise-suppressed now. */
  noiseSuppressed: boolean;
}

interface LocalMediaEvents {
  changed: () => void;
  /** A non-fatal problem for the user (camera unavailable, unmute refused…). */
  warn: (notice: Notice) => void;
}

/**
 * The user's own media, across participations: the tracks (microphone, camera, screen and its
 * sound) and what the user wants of them (microphone muted or not; camera on = a camera track;
 * sharing = a screen track). publish() sends them all on a MediaConnection with those states, at
 * the first join and again after a full rejoin. Microphone off = producer paused; camera off =
 * track stopped and producer closed. Operations run one at a time, in call order.
 * The microphone is sent through a NoiseSuppressor: `tracks` keeps the device's own track, the
 * producer sends the suppressor's output; turning suppression on or off (the page's
 * noiseSuppression preference) replaces the producer's track, as a device change does. The camera
 * is sent through a BackgroundCamera the same way (its output track stays the same across effects).
 */
export class LocalMedia {
  private readonly tracks = new Map<MediaSource, MediaStreamTrack>();
  private micWanted = false;
  private connection: MediaConnection | null = null;
  private queue: Promise<unknown> = Promise.resolve();
  private closed = false;
  private readonly noise = new NoiseSuppressor(noiseSuppression.getSnapshot().active);
  private readonly unsubscribe: () => void;
  /** The camera's background effect: the track sent for the camera is `background.output`. */
  private readonly background = new BackgroundCamera();

  constructor(
    private readonly signaling: SignalingClient,
    private readonly events: LocalMediaEvents,
  ) {
    let active = noiseSuppression.getSnapshot().active;
    this.unsubscribe = noiseSuppression.subscribe(() => {
      if (noiseSuppression.getSnapshot().active === active) return;
      active = noiseSuppression.getSnapshot().active;
      void this.enqueue(async (connection) => this.sendMicrophone(connection, await this.noise.setEnabled(active)));
    });
    // The processing started late (autoplay) or stopped: send what it outputs now.
    this.noise.on('output', (output) => void this.enqueue(async (connection) => this.sendMicrophone(connection, output)));
    this.background.on('output', () => void this.enqueue((connection) => this.sendCamera(connection)));
    this.background.on('notice', (notice) => this.events.warn({ code: notice.code === 'tooSlow' ? 'backgroundTooSlow' : 'backgroundFailed' }));
  }

  /** Before the first join: the microphone (muted or not) and the camera if wanted. */
  async acquire({ mic, camera }: { mic: boolean; camera: boolean }): Promise<void> {
    const local = await acquireTracks({ audio: true, video: camera });
    if (this.closed) return void [local.audio, local.video].forEach((t) => t?.stop());
    if (local.audio) this.setTrack('microphone', local.audio);
    if (local.video) this.setTrack('camera', local.video);
    this.micWanted = mic;
    if (local.error) this.events.warn({ code: local.error });
  }

  /** Sends every kept track on `connection` with its current state (what `role` may send). */
  publish(connection: MediaConnection, role: Role): Promise<void> {
    this.connection = connection;
    return this.enqueue(async () => {
      for (const source of [...this.tracks.keys()]) if (!can(role, source === 'screen-audio' ? 'screen' : source)) this.drop(source);
      for (const source of ['microphone', 'camera', 'screen', 'screen-audio'] as const) {
        const track = this.tracks.get(source);
        if (track) await this.produce(source, track, source === 'microphone' && !this.micWanted);
      }
    });
  }

  view(): LocalMediaView {
    const camera = this.tracks.get('camera') ?? null;
    return {
      micOn: this.micWanted && Boolean(this.connection?.producer('microphone')),
      cameraOn: Boolean(camera),
      localVideoTrack: camera && this.background.output,
      localCameraTrack: camera,
      localScreenTrack: this.tracks.get('screen') ?? null,
      localAudioTrack: this.tracks.get('microphone') ?? null,
      localAudioSentTrack: this.tracks.has('microphone') ? this.noise.output : null,
      noiseSuppressed: this.tracks.has('microphone') && this.noise.processing,
    };
  }

  setMicEnabled(on: boolean): Promise<void> {
    return this.enqueue(async (connection) => {
      const producer = connection.producer('microphone');
      if (!producer) {
        if (!on) return;
        const track = await this.acquireOne('audio');
        this.micWanted = Boolean(track);
        if (track) await this.produce('microphone', track, false);
        return this.events.changed();
      }
      if (on) producer.resume();
      else producer.pause();
      this.micWanted = on;
      this.events.changed();
      try {
        await this.signaling.request(on ? 'resumeProducer' : 'pauseProducer', { producerId: producer.id });
      } catch (error) {
        if (producer.closed || connection !== this.connection) return; // a rejoin published it anew
        if (on) producer.pause(), (this.micWanted = false); // e.g. MEDIA_LOCKED: a host locked it
        this.events.warn({ code: on ? 'micUnmuteFailed' : 'micMuteFailed', cause: ClientError.from(error).toPayload() });
      }
    });
  }

  setCameraEnabled(on: boolean): Promise<void> {
    return this.enqueue(async () => {
      if (on === this.tracks.has('camera')) return;
      if (!on) return this.stop('camera');
      const track = await this.acquireOne('video');
      if (track) await this.produce('camera', track, false);
    });
  }

  /**
   * Another camera or microphone, without rejoining (remembered for the next join too): a track
   * of that device replaces the sent one (producer.replaceTrack keeps a muted microphone muted),
   * the old track is stopped. Camera off: only remembered. A device that cannot be opened is
   * warned about and the current one kept; one that is busy while ours holds another (phones)
   * is tried again once the old track is stopped.
   */
  setDevice(kind: 'audioinput' | 'videoinput', deviceId: string): Promise<void> {
    devicePreferences.set(kind, deviceId);
    const source = kind === 'audioinput' ? 'microphone' : 'camera';
    return this.enqueue(async (connection) => {
      const current = this.tracks.get(source);
      if (!current || current.getSettings().deviceId === deviceId) return;
      const want = { audio: source === 'microphone', video: source === 'camera' };
      let local = await acquireTracks(want, { [kind]: deviceId, strict: true });
      if (local.error === 'mediaInUse') {
        current.stop();
        local = await acquireTracks(want, { [kind]: deviceId, strict: true });
      }
      const track = local.audio ?? local.video;
      if (!track || this.closed || this.tracks.get(source) !== current) {
        track?.stop();
        if (local.error) this.events.warn({ code: local.error });
        if (current.readyState === 'ended' && this.tracks.get(source) === current) await this.stop(source);
        return;
      }
      const producer = connection.producer(source);
      try {
        const sent = source === 'microphone' ? await this.noise.setInput(track) : this.background.setInput(track);
        if (producer && !producer.closed && sent && producer.track !== sent) await producer.replaceTrack({ track: sent });
      } catch (error) {
        if (source === 'camera') this.background.setInput(current);
        track.stop();
        console.warn(`could not switch the ${source}`, error);
        return this.events.warn({ code: 'sendFailed', params: { source }, cause: ClientError.from(error).toPayload() });
      }
      this.setTrack(source, track);
      current.stop();
      this.events.changed();
    });
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
        return this.events.warn({ code: 'screenShareFailed' });
      }
      const [video] = stream.getVideoTracks();
      const [audio] = stream.getAudioTracks();
      if (!video || this.closed) return stream.getTracks().forEach((t) => t.stop());
      video.contentHint = 'detail';
      await this.produce('screen', video, false);
      if (!this.tracks.has('screen')) return audio?.stop(); // refused (e.g. someone else shares)
      if (audio) await this.produce('screen-audio', audio, false);
    });
  }

  /** A host muted our microphone or stopped our camera or screen (the server already did). */
  stoppedByHost(source: 'microphone' | 'camera' | 'screen'): void {
    if (source === 'camera') return void this.enqueue(() => this.stop('camera'));
    if (source === 'screen') return void this.enqueue(() => this.stopScreen());
    this.connection?.producer('microphone')?.pause();
    this.micWanted = false;
    this.events.changed();
  }

  /** Our role changed: an attendee sends nothing (ROLE-3). */
  roleChanged(role: Role): void {
    if (role !== 'attendee') return;
    void this.enqueue(() => this.stop('microphone').then(() => this.stop('camera')).then(() => this.stopScreen()));
  }

  close(): void {
    this.closed = true;
    this.unsubscribe();
    this.noise.close();
    this.connection = null;
    this.background.close();
    for (const track of this.tracks.values()) track.stop();
    this.tracks.clear();
  }

  private async produce(source: MediaSource, track: MediaStreamTrack, paused: boolean): Promise<void> {
    const connection = this.connection;
    if (!connection) return;
    this.setTrack(source, track);
    try {
      const sent = source === 'microphone' ? await this.noise.setInput(track) : source === 'camera' ? (this.background.output ?? track) : track;
      if (!sent || this.tracks.get(source) !== track) return;
      await connection.produce(source, sent, paused);
    } catch (error) {
      if (this.closed || connection.closed) return; // a rejoin publishes it again
      this.drop(source);
      this.events.warn({ code: 'sendFailed', params: { source }, cause: ClientError.from(error).toPayload() });
    }
    this.events.changed();
  }

  private setTrack(source: MediaSource, track: MediaStreamTrack): void {
    if (this.tracks.get(source) === track) return;
    this.tracks.set(source, track);
    if (source === 'camera') this.background.setInput(track);
    track.addEventListener('ended', () => {
      if (this.tracks.get(source) !== track || this.closed) return;
      // Screen sharing ends from the browser's own "Stop sharing" button: not a problem.
      if (source === 'screen' || source === 'screen-audio') return void this.enqueue(() => this.stopScreen());
      this.events.warn({ code: 'trackEnded', params: { source } });
      void this.enqueue(() => this.stop(source));
    });
  }

  private drop(source: MediaSource): void {
    this.tracks.get(source)?.stop();
    this.tracks.delete(source);
    if (source === 'camera') this.background.setInput(null);
    if (source === 'microphone') (this.micWanted = false), void this.noise.setInput(null);
  }

  /** The microphone's producer sends `track` (noise suppression turned on or off), paused or not. */
  private async sendMicrophone(connection: MediaConnection, track: MediaStreamTrack | null): Promise<void> {
    const producer = connection.producer('microphone');
    if (track && producer && !producer.closed && producer.track !== track) {
      try {
        await producer.replaceTrack({ track });
      } catch (error) {
        console.warn('could not switch the noise suppression', error);
        return this.events.warn({ code: 'sendFailed', params: { source: 'microphone' }, cause: ClientError.from(error).toPayload() });
      }
    }
    this.events.changed();
  }

  private async stopScreen(): Promise<void> {
    await this.stop('screen-audio');
    await this.stop('screen');
  }

  private async stop(source: MediaSource): Promise<void> {
    this.drop(source);
    this.events.changed();
    await this.connection?.closeProducer(source);
  }

  /** The background effect was turned on or off: the camera producer sends the new track. */
  private async sendCamera(connection: MediaConnection): Promise<void> {
    const producer = connection.producer('camera');
    const track = this.background.output;
    try {
      if (producer && !producer.closed && track && producer.track !== track) await producer.replaceTrack({ track });
    } catch (error) {
      console.warn('could not switch the camera background', error);
      this.events.warn({ code: 'sendFailed', params: { source: 'camera' }, cause: ClientError.from(error).toPayload() });
    }
    this.events.changed();
  }

  private async acquireOne(kind: 'audio' | 'video'): Promise<MediaStreamTrack | null> {
    const local = await acquireTracks({ audio: kind === 'audio', video: kind === 'video' });
    const track = local[kind];
    if (local.error) this.events.warn({ code: local.error });
    if (track && this.closed) {
      track.stop();
      return null;
    }
    return track;
  }

  /** Runs after the operations before it, once there is a connection to run it on. */
  private enqueue(operation: (connection: MediaConnection) => Promise<void>): Promise<void> {
    const run = this.queue.then(() => (this.connection && !this.closed ? operation(this.connection) : undefined));
    this.queue = run.catch(() => undefined);
    return run;
  }
}
