import type { DeviceKind } from './DevicePreferences';
import { TypedEmitter } from './TypedEmitter';

export interface DeviceOption {
  deviceId: string;
  /** The browser's label; empty until the page was allowed a device (the UI then numbers them). */
  label: string;
}

export type DeviceListSnapshot = Readonly<Record<DeviceKind, readonly DeviceOption[]>> & {
  /** The browser can route sound to a chosen output (HTMLMediaElement.setSinkId). */
  canChooseOutput: boolean;
  /** Kinds the browser hides until the page is allowed them (devices listed without ids). */
  locked: Readonly<Record<DeviceKind, boolean>>;
};

const EMPTY: DeviceListSnapshot = {
  audioinput: [],
  videoinput: [],
  audiooutput: [],
  canChooseOutput: false,
  locked: { audioinput: false, videoinput: false, audiooutput: false },
};

export function canChooseOutput(): boolean {
  return typeof HTMLMediaElement !== 'undefined' && 'setSinkId' in HTMLMediaElement.prototype;
}

/**
 * The cameras, microphones and speakers of this machine, enumerated again on `devicechange`
 * (a headset plugged in) and on refresh() (after a permission is granted, when labels appear).
 * A store for the UI; start() and stop() follow the components that show it.
 */
export class DeviceList extends TypedEmitter<{ change: [] }> {
  private snapshot: DeviceListSnapshot = EMPTY;
  private users = 0;
  private readonly onChange = (): void => void this.refresh();

  readonly getSnapshot = (): DeviceListSnapshot => this.snapshot;
  readonly subscribe = (listener: () => void): (() => void) => {
    const off = this.on('change', listener);
    if (this.users++ === 0) this.start();
    return () => {
      off();
      if (--this.users === 0) this.stop();
    };
  };

  async refresh(): Promise<void> {
    const media = globalThis.navigator?.mediaDevices;
    if (!media?.enumerateDevices) return;
    let devices: MediaDeviceInfo[];
    try {
      devices = await media.enumerateDevices();
    } catch {
      return;
    }
    const of = (kind: DeviceKind): DeviceOption[] =>
      devices.filter((d) => d.kind === kind && d.deviceId !== '').map((d) => ({ deviceId: d.deviceId, label: d.label }));
    const locked = (kind: DeviceKind): boolean => devices.some((d) => d.kind === kind && d.deviceId === '');
    const next: DeviceListSnapshot = {
      audioinput: of('audioinput'),
      videoinput: of('videoinput'),
      audiooutput: of('audiooutput'),
      canChooseOutput: canChooseOutput(),
      locked: { audioinput: locked('audioinput'), videoinput: locked('videoinput'), audiooutput: locked('audiooutput') },
    };
    if (JSON.stringify(next) === JSON.stringify(this.snapshot)) return;
    this.snapshot = next;
    this.emit('change');
  }

  private start(): void {
    globalThis.navigator?.mediaDevices?.addEventListener?.('devicechange', this.onChange);
    void this.refresh();
  }

  private stop(): void {
    globalThis.navigator?.mediaDevices?.removeEventListener?.('devicechange', this.onChange);
  }
}

/** The page's device list. */
export const deviceList = new DeviceList();
