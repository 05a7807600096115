import { TypedEmitter } from '../TypedEmitter';
import { localStorageOrNull } from '../localStorageOrNull';

const STORAGE_KEY = 'nomades.noiseSuppression';

export interface NoiseSuppressionSnapshot {
  /** The service offers it (the operator's NOISE_SUPPRESSION, written into the page). */
  available: boolean;
  /** The person wants it (on unless they turned it off in this browser). */
  wanted: boolean;
  /** Both: the microphone is processed. */
  active: boolean;
}

/**
 * Noise suppression, on by default, switchable by the person (kept in localStorage, like the
 * devices in DevicePreferences) and by the operator for the whole service (`NOISE_SUPPRESSION=off`
 * becomes `<html data-noise-suppression="off">`). A store (subscribe/getSnapshot) for the UI;
 * LocalMedia follows it during a call.
 */
export class NoiseSuppressionPreference extends TypedEmitter<{ change: [] }> {
  private snapshot: NoiseSuppressionSnapshot;

  constructor(
    private readonly storage: Pick<Storage, 'getItem' | 'setItem'> | null,
    available: boolean,
  ) {
    super();
    const wanted = this.load();
    this.snapshot = { available, wanted, active: available && wanted };
  }

  readonly getSnapshot = (): NoiseSuppressionSnapshot => this.snapshot;
  readonly subscribe = (listener: () => void): (() => void) => this.on('change', listener);

  setWanted(wanted: boolean): void {
    if (this.snapshot.wanted === wanted) return;
    this.snapshot = { ...this.snapshot, wanted, active: this.snapshot.available && wanted };
    try {
      this.storage?.setItem(STORAGE_KEY, wanted ? 'on' : 'off');
    } catch {
      // storage full or refused (private mode): the choice holds for this page only
    }
    this.emit('change');
  }

  private load(): boolean {
    try {
      return this.storage?.getItem(STORAGE_KEY) !== 'off';
    } catch {
      return true;
    }
  }
}

/** The service offers noise suppression: not when the page says `<html data-noise-suppression="off">` (NOISE_SUPPRESSION=off). */
export function offeredByOperator(root: Pick<HTMLElement, 'dataset'> | null | undefined): boolean {
  return root?.dataset.noiseSuppression !== 'off';
}

/** The page's preference (one person, one browser profile). */
export const noiseSuppression = new NoiseSuppressionPreference(localStorageOrNull(), offeredByOperator(globalThis.document?.documentElement));
