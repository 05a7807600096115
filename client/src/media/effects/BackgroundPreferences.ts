import { TypedEmitter } from '../TypedEmitter';
import { isBackgroundChoice, type BackgroundChoice } from './BackgroundChoice';
import type { BackgroundRateFigures } from './BackgroundRate';
import { localStorageOrNull } from '../localStorageOrNull';

const CHOICE_KEY = 'nomades.background';
const IMAGE_KEY = 'nomades.background.image';
/** A data URL longer than this is not kept (the image is scaled to 1280×720 JPEG first: ~100–400 kB). */
export const MAX_STORED_IMAGE_CHARS = 3_000_000;

/** Why the effect was turned off by itself: too slow here (with the figures), or it failed to start. */
export type BackgroundNotice = { code: 'tooSlow'; figures: BackgroundRateFigures } | { code: 'failed'; detail: string };

export interface BackgroundPreferencesSnapshot {
  choice: BackgroundChoice;
  /** The agent's own image (a data URL), kept in this browser only. */
  customImage: string | null;
  /** The effect was turned off by itself (not kept across pages). */
  notice: BackgroundNotice | null;
}

/**
 * The background the agent chose and their own image, kept in localStorage (this browser only,
 * never sent anywhere) so that the pre-join, the meeting and the next visit use them. A store
 * (subscribe/getSnapshot) for the UI; the camera pipeline follows it.
 */
export class BackgroundPreferences extends TypedEmitter<{ change: [] }> {
  private snapshot: BackgroundPreferencesSnapshot;

  constructor(private readonly storage: Pick<Storage, 'getItem' | 'setItem' | 'removeItem'> | null) {
    super();
    this.snapshot = this.load();
  }

  readonly getSnapshot = (): BackgroundPreferencesSnapshot => this.snapshot;
  readonly subscribe = (listener: () => void): (() => void) => this.on('change', listener);

  get choice(): BackgroundChoice {
    return this.snapshot.choice;
  }

  setChoice(choice: BackgroundChoice): void {
    if (choice === this.snapshot.choice) return;
    if (choice === 'image:custom' && !this.snapshot.customImage) return;
    this.update({ ...this.snapshot, choice, notice: null }, () => this.storage?.setItem(CHOICE_KEY, choice));
  }

  /** The effect could not keep up, or start: back to none (remembered), with the reason shown. */
  turnedOff(notice: BackgroundNotice): void {
    this.update({ ...this.snapshot, choice: 'none', notice }, () => this.storage?.setItem(CHOICE_KEY, 'none'));
  }

  /** The agent's own image (already scaled), chosen at once; false when it cannot be kept. */
  setCustomImage(dataUrl: string): boolean {
    if (!dataUrl.startsWith('data:image/') || dataUrl.length > MAX_STORED_IMAGE_CHARS) return false;
    let kept = true;
    this.update({ choice: 'image:custom', customImage: dataUrl, notice: null }, () => {
      try {
        this.storage?.setItem(IMAGE_KEY, dataUrl);
        this.storage?.setItem(CHOICE_KEY, 'image:custom');
      } catch {
        kept = false; // storage full: the image holds for this page only
      }
    });
    return kept;
  }

  private update(next: BackgroundPreferencesSnapshot, persist: () => void): void {
    this.snapshot = next;
    try {
      persist();
    } catch {
      // storage full or refused (private mode): the choice holds for this page only
    }
    this.emit('change');
  }

  private load(): BackgroundPreferencesSnapshot {
    try {
      const image = this.storage?.getItem(IMAGE_KEY) ?? null;
      const customImage = image && image.startsWith('data:image/') && image.length <= MAX_STORED_IMAGE_CHARS ? image : null;
      const stored = this.storage?.getItem(CHOICE_KEY);
      const choice = isBackgroundChoice(stored) && (stored !== 'image:custom' || customImage) ? stored : 'none';
      return { choice, customImage, notice: null };
    } catch {
      return { choice: 'none', customImage: null, notice: null };
    }
  }
}

/** The page's background preferences (one person, one browser profile). */
export const backgroundPreferences = new BackgroundPreferences(localStorageOrNull());
