import { devicePreferences } from '../media/DevicePreferences';
import type { MediaErrorCode } from '../media/userMedia';
import { BackgroundPicker } from './BackgroundPicker';
import { DeviceSettings } from './DeviceSettings';
import { MediaProblem } from './MediaProblem';
import { useMicPreview } from './useMicPreview';
import { useNoiseSuppressedPreview } from './useNoiseSuppressedPreview';

interface Props {
  cameraTrack: MediaStreamTrack | null;
  /** The camera preview's problem, already shown above: the microphone's is shown when it differs. */
  cameraError?: MediaErrorCode | null;
}

/** The device choices of the pre-join: remembered, and used by the preview and the join. */
export function PreJoinDevices({ cameraTrack, cameraError = null }: Props) {
  const mic = useMicPreview();
  const sent = useNoiseSuppressedPreview(mic.track);
  return (
    <>
      {mic.error && mic.error !== cameraError && <MediaProblem code={mic.error} />}
      <DeviceSettings micTrack={mic.track} micLevelTrack={sent} cameraTrack={cameraTrack} onChoose={(kind, deviceId) => devicePreferences.set(kind, deviceId)} />
      <BackgroundPicker />
    </>
  );
}
