import { devicePreferences } from '../media/DevicePreferences';
import type { RoomClient } from '../media/RoomClient';
import type { RoomSnapshot } from '../media/RoomClientTypes';
import { BackgroundPicker } from './BackgroundPicker';
import { DeviceSettings } from './DeviceSettings';

/**
 * The meeting's device settings (a side-column tab): a camera or microphone chosen here replaces
 * the one being sent at once, without rejoining; the speaker applies to every remote sound.
 */
export function MeetingDeviceSettings({ client, room }: { client: RoomClient; room: RoomSnapshot }) {
  return (
    <section className="panel-body device-panel" data-testid="settings-panel">
      <DeviceSettings
        micTrack={room.localAudioTrack}
        micLevelTrack={room.localAudioSentTrack}
        cameraTrack={room.localCameraTrack}
        onChoose={(kind, deviceId) => (kind === 'audiooutput' ? devicePreferences.set(kind, deviceId) : void client.setDevice(kind, deviceId))}
      />
      <BackgroundPicker />
    </section>
  );
}
