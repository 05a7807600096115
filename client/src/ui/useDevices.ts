import { useEffect, useSyncExternalStore } from 'react';
import { deviceList, type DeviceListSnapshot } from '../media/DeviceList';
import { devicePreferences, type DevicePreferencesSnapshot } from '../media/DevicePreferences';

/**
 * The devices of this machine (kept up to date on `devicechange`) and the remembered choices.
 * `refreshKey` changes when a track was opened: labels appear once a device was allowed.
 */
export function useDevices(refreshKey: unknown = null): { devices: DeviceListSnapshot; chosen: DevicePreferencesSnapshot } {
  const devices = useSyncExternalStore(deviceList.subscribe, deviceList.getSnapshot);
  const chosen = useSyncExternalStore(devicePreferences.subscribe, devicePreferences.getSnapshot);
  useEffect(() => void deviceList.refresh(), [refreshKey]);
  return { devices, chosen };
}
