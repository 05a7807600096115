import { devicePreferences } from '../media/DevicePreferences';
import { DeviceSettings } from './DeviceSettings';
import { useMicPreview } from './useMicPreview';

/** The device choices of the pre-join: remembered, and used by the preview and the join. */
export function PreJoinDevices({ cameraTrack }: { cameraTrack: MediaStreamTrack | null }) {
  const micTrack = useMicPreview();
  return <DeviceSettings micTrack={micTrack} cameraTrack={cameraTrack} onChoose={(kind, deviceId) => devicePreferences.set(kind, deviceId)} />;
}
