import { EventEmitter } from 'node:events';
import type { types } from 'mediasoup';
import type { ProducerAppData } from './MediaPeerTypes.js';

export interface SpeakerLevel {
  peerId: string;
  /** dBov, -127 (silence) … 0 (loudest). */
  volume: number;
}

export type SpeakerDetectorEvents = {
  /** The dominant speaker changed (ActiveSpeakerObserver). */
  dominantspeaker: [peerId: string];
  /** Who is audible now, loudest first (AudioLevelObserver, every 500 ms while someone speaks). */
  volumes: [levels: SpeakerLevel[]];
  /** Nobody is audible any more. */
  silence: [];
};

/**
 * Speaking detection of one room's router: the active speaker (for the speaker view and the
 * order of the grid) and the audio levels (for the speaking indicator). Microphones only.
 */
export class SpeakerDetector extends EventEmitter<SpeakerDetectorEvents> {
  readonly #active: types.ActiveSpeakerObserver;
  readonly #levels: types.AudioLevelObserver;
  #closed = false;

  private constructor(active: types.ActiveSpeakerObserver, levels: types.AudioLevelObserver) {
    super();
    this.#active = active;
    this.#levels = levels;
    active.on('dominantspeaker', ({ producer }) => {
      const peerId = (producer.appData as ProducerAppData).peerId;
      if (peerId) this.emit('dominantspeaker', peerId);
    });
    levels.on('volumes', (volumes) => {
      this.emit(
        'volumes',
        volumes.map(({ producer, volume }) => ({ peerId: (producer.appData as ProducerAppData).peerId, volume })),
      );
    });
    levels.on('silence', () => this.emit('silence'));
  }

  static async create(router: types.Router): Promise<SpeakerDetector> {
    const active = await router.createActiveSpeakerObserver({ interval: 300 });
    const levels = await router.createAudioLevelObserver({ maxEntries: 10, threshold: -60, interval: 500 });
    return new SpeakerDetector(active, levels);
  }

  /** Follows a microphone; it leaves the observers by itself when it closes. */
  async addProducer(producer: types.Producer<ProducerAppData>): Promise<void> {
    if (this.#closed || producer.kind !== 'audio' || producer.appData.source !== 'microphone') return;
    try {
      await this.#active.addProducer({ producerId: producer.id });
      await this.#levels.addProducer({ producerId: producer.id });
    } catch {
      // The producer closed meanwhile: nothing to follow.
    }
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#active.close();
    this.#levels.close();
    this.removeAllListeners();
  }
}
