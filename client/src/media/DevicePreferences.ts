import { TypedEmitter } from './TypedEmitter';
import { localStorageOrNull } from './localStorageOrNull';

/** The three kinds of device a person chooses (MediaDeviceInfo.kind). */
export type DeviceKind = 'audioinput' | 'videoinput' | 'audiooutput';

/** Devices to open: ids (null = the browser's default), and whether a missing one is an error. */
export interface DeviceChoice {
  audioinput: string | null;
  videoinput: string | null;
  /** A switch to these devices: fail if they cannot be opened (otherwise the default ones are taken). */
  strict: boolean;
}

export type DevicePreferencesSnapshot = Readonly<Record<DeviceKind, string | null>>;

const STORAGE_KEY = 'nomades.devices';
const EMPTY: DevicePreferencesSnapshot = { audioinput: null, videoinput: null, audiooutput: null };

/**
 * The camera, microphone and speaker a person chose, kept in localStorage so that the next join
 * (and the pre-join) uses them. A store (subscribe/getSnapshot) for the UI; the media layer reads
 * it when it opens a device.
 */
export class DevicePreferences extends TypedEmitter<{ change: [] }> {
  private snapshot: DevicePreferencesSnapshot;

  constructor(private readonly storage: Pick<Storage, 'getItem' | 'setItem'> | null) {
    super();
    this.snapshot = this.load();
  }

  readonly getSnapshot = (): DevicePreferencesSnapshot => this.snapshot;
  readonly subscribe = (listener: () => void): (() => void) => this.on('change', listener);

  get(kind: DeviceKind): string | null {
    return this.snapshot[kind];
  }

  set(kind: DeviceKind, deviceId: string | null): void {
    if (this.snapshot[kind] === deviceId) return;
    this.snapshot = { ...this.snapshot, [kind]: deviceId };
    try {
      this.storage?.setItem(STORAGE_KEY, JSON.stringify(this.snapshot));
    } catch {
      // storage full or refused (private mode): the choice holds for this page only
    }
    this.emit('change');
  }

  private load(): DevicePreferencesSnapshot {
    try {
      const parsed: unknown = JSON.parse(this.storage?.getItem(STORAGE_KEY) ?? 'null');
      if (!parsed || typeof parsed !== 'object') return EMPTY;
      const read = (kind: DeviceKind): string | null => {
        const value = (parsed as Record<string, unknown>)[kind];
        return typeof value === 'string' && value.length > 0 && value.length <= 512 ? value : null;
      };
      return { audioinput: read('audioinput'), videoinput: read('videoinput'), audiooutput: read('audiooutput') };
    } catch {
      return EMPTY;
    }
  }
}

/** The page's preferences (one person, one browser profile). */
export const devicePreferences = new DevicePreferences(localStorageOrNull());
