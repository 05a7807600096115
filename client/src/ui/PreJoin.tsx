import type { FormEvent, ReactNode } from 'react';
import { LIMITS, type ErrorPayload } from '@nomades/shared';
import { useTranslation } from 'react-i18next';
import type { JoinOptions } from '../media/RoomClientTypes';
import { Avatar } from './Avatar';
import { ErrorNotice } from './ErrorNotice';
import { LanguageSwitch } from './LanguageSwitch';
import { MediaProblem } from './MediaProblem';
import { PreJoinDevices } from './PreJoinDevices';
import { CameraIcon, MicIcon } from './icons';
import { useCameraPreview } from './useCameraPreview';
import { VideoTrack } from './VideoTrack';

interface Props {
  /** The room's human name (its id until the server told it). */
  roomName: string;
  name: string;
  onNameChange: (name: string) => void;
  /** False when the link carries a token (the token holds the name). */
  askName: boolean;
  prefs: JoinOptions;
  onPrefsChange: (prefs: JoinOptions) => void;
  error: ErrorPayload | null;
  onJoin: () => void;
  /** Shown under the title: the recording notice of a room that records (REC-V4). */
  notice?: ReactNode;
}

/** Before joining: name, camera preview, microphone and camera choices. */
export function PreJoin({ roomName, name, onNameChange, askName, prefs, onPrefsChange, error, onJoin, notice }: Props) {
  const { t } = useTranslation();
  const preview = useCameraPreview(prefs.camera);
  const canJoin = !askName || name.trim().length > 0;
  const submit = (event: FormEvent): void => {
    event.preventDefault();
    if (canJoin) onJoin();
  };

  return (
    <main className="center">
      <LanguageSwitch />
      <form className="card prejoin" onSubmit={submit}>
        <h1>{t('prejoin.title', { room: roomName })}</h1>
        {error && <ErrorNotice error={error} />}
        {notice}
        <div className="tile preview">
          <VideoTrack track={preview.track} testId="preview-video" mirrored hidden={!preview.track} />
          {!preview.track && <Avatar name={name || t('guest')} />}
        </div>
        {preview.error && <MediaProblem code={preview.error} />}
        <div className="controls" role="group" aria-label={t('prejoin.devicesLabel')}>
          <button
            type="button"
            data-testid="prejoin-toggle-mic"
            className={prefs.mic ? 'control' : 'control off'}
            aria-pressed={prefs.mic}
            aria-label={t('prejoin.joinWithMic')}
            onClick={() => onPrefsChange({ ...prefs, mic: !prefs.mic })}
          >
            <MicIcon off={!prefs.mic} />
            <span aria-hidden="true">{prefs.mic ? t('prejoin.micOn') : t('prejoin.micOff')}</span>
          </button>
          <button
            type="button"
            data-testid="prejoin-toggle-camera"
            className={prefs.camera ? 'control' : 'control off'}
            aria-pressed={prefs.camera}
            aria-label={t('prejoin.joinWithCamera')}
            onClick={() => onPrefsChange({ ...prefs, camera: !prefs.camera })}
          >
            <CameraIcon off={!prefs.camera} />
            <span aria-hidden="true">{prefs.camera ? t('prejoin.cameraOn') : t('prejoin.cameraOff')}</span>
          </button>
        </div>
        <PreJoinDevices cameraTrack={preview.cameraTrack} cameraError={preview.error} />
        {askName && (
          <label className="field">
            <span>{t('prejoin.nameLabel')}</span>
            <input
              data-testid="display-name"
              value={name}
              maxLength={LIMITS.maxDisplayNameLength}
              autoComplete="name"
              autoFocus
              required
              onChange={(event) => onNameChange(event.target.value)}
            />
          </label>
        )}
        <button type="submit" className="primary" data-testid="join" disabled={!canJoin}>
          {t('prejoin.join')}
        </button>
      </form>
    </main>
  );
}
