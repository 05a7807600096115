import { TypedEmitter } from '../TypedEmitter';
import { imageOf, type BackgroundChoice } from './BackgroundChoice';
import { backgroundImageUrl } from './BackgroundImages';
import { backgroundPreferences, type BackgroundNotice, type BackgroundPreferences } from './BackgroundPreferences';
import { BackgroundProcessor } from './BackgroundProcessor';
import { backgroundUnavailable } from './BackgroundSupport';
import { Segmenter } from './Segmenter';

type BackgroundCameraEvents = {
  /** The track to show and send changed (effect turned on or off). */
  output: [MediaStreamTrack | null];
  /** The effect was turned off by itself. */
  notice: [BackgroundNotice];
};

/**
 * The camera as the others see it: given the camera's own track, the track to show and send —
 * the same one when no effect is chosen (or none can run here), else a BackgroundProcessor's
 * output. It follows the agent's choice (BackgroundPreferences) while it lives; a device change
 * (setInput) or another effect keeps the processed track, so that the caller replaces the sent
 * track only when the effect is turned on or off ('output').
 */
export class BackgroundCamera extends TypedEmitter<BackgroundCameraEvents> {
  private input: MediaStreamTrack | null = null;
  private processor: BackgroundProcessor | null = null;
  private readonly unsubscribe: () => void;
  private closed = false;

  constructor(private readonly preferences: BackgroundPreferences = backgroundPreferences) {
    super();
    this.unsubscribe = preferences.subscribe(() => this.update());
  }

  get output(): MediaStreamTrack | null {
    return this.processor?.output ?? this.input;
  }

  /** The camera's own track (null: camera off); returns the track to send. */
  setInput(track: MediaStreamTrack | null): MediaStreamTrack | null {
    if (this.closed) return track;
    this.input = track;
    if (this.processor && track) this.processor.setInput(track);
    else this.update(false);
    return this.output;
  }

  /** Frames and masks per second of the running effect (tests, the benchmark). */
  figures() {
    return this.processor?.figures() ?? null;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.unsubscribe();
    this.processor?.close();
    this.processor = null;
    this.removeAllListeners();
  }

  private update(announce = true): void {
    if (this.closed) return;
    const before = this.output;
    const { choice, customImage } = this.preferences.getSnapshot();
    const wanted = choice !== 'none' && this.input !== null && backgroundUnavailable() === null;
    if (!wanted) {
      this.processor?.close();
      this.processor = null;
    } else {
      const imageUrl = backgroundImageUrl(imageOf(choice), customImage);
      if (this.processor) this.processor.setChoice(choice, imageUrl);
      else this.start(this.input!, choice, imageUrl);
    }
    if (announce && this.output !== before) this.emit('output', this.output);
  }

  private start(input: MediaStreamTrack, choice: BackgroundChoice, imageUrl: string | null): void {
    const processor = new BackgroundProcessor(input, choice, imageUrl, Segmenter.load());
    this.processor = processor;
    const stop = (notice: BackgroundNotice) => {
      if (this.processor !== processor) return;
      console.warn(`background effect turned off: ${JSON.stringify(notice)}`);
      this.preferences.turnedOff(notice); // → update(): the camera's own track again
      this.emit('notice', notice);
    };
    processor.on('tooSlow', (figures) => stop({ code: 'tooSlow', figures }));
    processor.on('failed', (error) => stop({ code: 'failed', detail: error.message }));
  }
}
