import { useId } from 'react';
import { useTranslation } from 'react-i18next';
import type { DeviceOption } from '../media/DeviceList';
import type { DeviceKind } from '../media/DevicePreferences';
import { MicLevel } from './MicLevel';
import { NoiseSuppressionToggle } from './NoiseSuppressionToggle';
import { SpeakerTest } from './SpeakerTest';
import { useDevices } from './useDevices';
import './devices.css';

interface Props {
  /** The microphone being used, if any (its device is the one selected). */
  micTrack: MediaStreamTrack | null;
  /** What is sent of it, whose level is shown (noise-suppressed while that is on); default: micTrack. */
  micLevelTrack?: MediaStreamTrack | null;
  /** The camera being used, if any (its device is the one selected). */
  cameraTrack: MediaStreamTrack | null;
  /** A device was chosen. */
  onChoose: (kind: DeviceKind, deviceId: string) => void;
}

const TEST_IDS: Record<DeviceKind, string> = { videoinput: 'camera-select', audioinput: 'mic-select', audiooutput: 'speaker-select' };

/**
 * Camera, microphone and speaker choices, the microphone's level and a speaker test: in the
 * pre-join and in the meeting's settings dialog. The speaker choice is shown only where the
 * browser can route sound to an output (setSinkId).
 */
export function DeviceSettings({ micTrack, micLevelTrack = micTrack, cameraTrack, onChoose }: Props) {
  const { t } = useTranslation('devices');
  const { devices, chosen } = useDevices(`${micTrack?.id ?? ''}/${cameraTrack?.id ?? ''}`);
  const inUse: Record<DeviceKind, string | null> = {
    videoinput: cameraTrack?.getSettings().deviceId ?? chosen.videoinput,
    audioinput: micTrack?.getSettings().deviceId ?? chosen.audioinput,
    audiooutput: chosen.audiooutput,
  };
  const nameOf = (kind: DeviceKind, device: DeviceOption, index: number): string => {
    if (device.label) return device.label;
    const n = index + 1;
    return kind === 'videoinput' ? t('cameraN', { n }) : kind === 'audioinput' ? t('micN', { n }) : t('speakerN', { n });
  };
  const labels: Record<DeviceKind, string> = { videoinput: t('camera'), audioinput: t('microphone'), audiooutput: t('speaker') };
  const none: Record<DeviceKind, string> = { videoinput: t('noCamera'), audioinput: t('noMicrophone'), audiooutput: t('noSpeaker') };
  const locked: Record<DeviceKind, string> = { videoinput: t('lockedCamera'), audioinput: t('lockedMicrophone'), audiooutput: t('lockedSpeaker') };
  const select = (kind: DeviceKind) => (
    <DeviceSelect
      kind={kind}
      label={labels[kind]}
      emptyText={devices.locked[kind] ? locked[kind] : none[kind]}
      options={devices[kind].map((device, index) => ({ value: device.deviceId, text: nameOf(kind, device, index) }))}
      value={inUse[kind]}
      onChange={(deviceId) => onChoose(kind, deviceId)}
    />
  );
  const showSpeaker = devices.canChooseOutput && devices.audiooutput.length > 0;

  return (
    <div className="device-settings" data-testid="device-settings-panel">
      {select('videoinput')}
      {select('audioinput')}
      <MicLevel track={micLevelTrack} />
      <NoiseSuppressionToggle />
      {showSpeaker && select('audiooutput')}
      <SpeakerTest sinkId={showSpeaker ? chosen.audiooutput : null} />
    </div>
  );
}

interface SelectProps {
  kind: DeviceKind;
  label: string;
  emptyText: string;
  options: Array<{ value: string; text: string }>;
  value: string | null;
  onChange: (deviceId: string) => void;
}

function DeviceSelect({ kind, label, emptyText, options, value, onChange }: SelectProps) {
  const id = useId();
  const selected = options.find((o) => o.value === value)?.value ?? options.find((o) => o.value === 'default')?.value ?? options[0]?.value ?? '';
  return (
    <div className="field device-field">
      <label htmlFor={id}>{label}</label>
      <select id={id} data-testid={TEST_IDS[kind]} value={selected} disabled={options.length === 0} onChange={(event) => onChange(event.target.value)}>
        {options.length === 0 && <option value="">{emptyText}</option>}
        {options.map((option) => (
          <option key={option.value} value={option.value}>
            {option.text}
          </option>
        ))}
      </select>
    </div>
  );
}
