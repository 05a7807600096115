import { useCallback } from 'react';
import type { RoomClient } from '../media/RoomClient';
import { TOUCH_QUERY, useMediaQuery } from './useMediaQuery';
import { useDevices } from './useDevices';

type Facing = 'user' | 'environment';

/** Which way a camera faces, from the browser's capabilities of the device (Chromium: without opening it). */
function facingOf(device: MediaDeviceInfo): Facing | undefined {
  const capabilities = (device as InputDeviceInfo).getCapabilities?.() as { facingMode?: string[] } | undefined;
  const mode = capabilities?.facingMode?.[0];
  return mode === 'user' || mode === 'environment' ? mode : undefined;
}

/**
 * Camera flip on a phone or tablet (a touch screen with two cameras or more): switches the sent
 * camera to one facing the other way (facingMode user ↔ environment), or to the next camera when
 * the browser does not tell which way they face. The switch itself is the device change of the
 * settings (RoomClient.setDevice: replaceTrack, no rejoin). Undefined when there is nothing to flip.
 */
export function useCameraFlip(client: RoomClient, track: MediaStreamTrack | null): (() => void) | undefined {
  const touch = useMediaQuery(TOUCH_QUERY);
  const { devices } = useDevices(track?.id ?? null);
  const flip = useCallback(() => {
    void (async () => {
      const cameras = (await navigator.mediaDevices.enumerateDevices()).filter((d) => d.kind === 'videoinput' && d.deviceId !== '');
      const settings = track?.getSettings();
      const index = cameras.findIndex((d) => d.deviceId === settings?.deviceId);
      const facing = (settings?.facingMode as Facing | undefined) ?? (index >= 0 ? facingOf(cameras[index]!) : undefined);
      const opposite = facing && cameras.find((d) => facingOf(d) !== undefined && facingOf(d) !== facing);
      const next = opposite ?? cameras[(index + 1) % cameras.length];
      if (next && next.deviceId !== settings?.deviceId) await client.setDevice('videoinput', next.deviceId);
    })();
  }, [client, track]);
  return touch && devices.videoinput.length >= 2 ? flip : undefined;
}
