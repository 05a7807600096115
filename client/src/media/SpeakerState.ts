import type { SignalingClient } from './SignalingClient';
import { TypedEmitter } from './TypedEmitter';

export interface SpeakerSnapshot {
  /** The dominant speaker (may be this client's own peer id), or null before anyone spoke. */
  activeSpeakerId: string | null;
  /** Peers audible right now. */
  speaking: ReadonlySet<string>;
}

/**
 * Who speaks, from the server's `activeSpeaker` and `audioLevels` notifications: drives the
 * speaking indicator and the speaker view. A store of its own so that the twice-a-second level
 * updates re-render only what shows them.
 */
export class SpeakerState extends TypedEmitter<{ change: [] }> {
  private snapshot: SpeakerSnapshot = { activeSpeakerId: null, speaking: new Set() };

  constructor(signaling: SignalingClient) {
    super();
    signaling.on('activeSpeaker', ({ peerId }) => this.set({ ...this.snapshot, activeSpeakerId: peerId }));
    signaling.on('audioLevels', ({ levels }) => {
      const speaking = new Set(levels.map((l) => l.peerId));
      const same = speaking.size === this.snapshot.speaking.size && [...speaking].every((p) => this.snapshot.speaking.has(p));
      if (!same) this.set({ ...this.snapshot, speaking });
    });
    signaling.on('peerLeft', ({ peerId }) => {
      if (this.snapshot.activeSpeakerId !== peerId && !this.snapshot.speaking.has(peerId)) return;
      const speaking = new Set(this.snapshot.speaking);
      speaking.delete(peerId);
      this.set({ activeSpeakerId: this.snapshot.activeSpeakerId === peerId ? null : this.snapshot.activeSpeakerId, speaking });
    });
  }

  readonly getSnapshot = (): SpeakerSnapshot => this.snapshot;
  readonly subscribe = (listener: () => void): (() => void) => this.on('change', listener);

  private set(next: SpeakerSnapshot): void {
    this.snapshot = next;
    this.emit('change');
  }
}
