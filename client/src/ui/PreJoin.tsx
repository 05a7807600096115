import type { FormEvent } from 'react';
import { LIMITS, type ErrorPayload } from '@nomades/shared';
import type { JoinOptions } from '../media/RoomClientTypes';
import { Avatar } from './Avatar';
import { ErrorNotice } from './ErrorNotice';
import { CameraIcon, MicIcon } from './icons';
import { useCameraPreview } from './useCameraPreview';
import { VideoTrack } from './VideoTrack';

interface Props {
  roomId: string;
  name: string;
  onNameChange: (name: string) => void;
  /** False when the link carries a token (the token holds the name). */
  askName: boolean;
  prefs: JoinOptions;
  onPrefsChange: (prefs: JoinOptions) => void;
  error: ErrorPayload | null;
  onJoin: () => void;
}

/** Before joining: name, camera preview, microphone and camera choices. */
export function PreJoin({ roomId, name, onNameChange, askName, prefs, onPrefsChange, error, onJoin }: Props) {
  const preview = useCameraPreview(prefs.camera);
  const canJoin = !askName || name.trim().length > 0;
  const submit = (event: FormEvent): void => {
    event.preventDefault();
    if (canJoin) onJoin();
  };

  return (
    <main className="center">
      <form className="card prejoin" onSubmit={submit}>
        <h1>Join “{roomId}”</h1>
        {error && <ErrorNotice error={error} />}
        <div className="tile preview">
          <VideoTrack track={preview.track} testId="preview-video" mirrored hidden={!preview.track} />
          {!preview.track && <Avatar name={name || 'Guest'} />}
        </div>
        {preview.error && <p className="hint">{preview.error}</p>}
        <div className="controls">
          <button
            type="button"
            data-testid="prejoin-toggle-mic"
            className={prefs.mic ? 'control' : 'control off'}
            aria-label={prefs.mic ? 'Join with microphone muted' : 'Join with microphone on'}
            onClick={() => onPrefsChange({ ...prefs, mic: !prefs.mic })}
          >
            <MicIcon off={!prefs.mic} />
            <span>{prefs.mic ? 'Mic on' : 'Mic off'}</span>
          </button>
          <button
            type="button"
            data-testid="prejoin-toggle-camera"
            className={prefs.camera ? 'control' : 'control off'}
            aria-label={prefs.camera ? 'Join with camera off' : 'Join with camera on'}
            onClick={() => onPrefsChange({ ...prefs, camera: !prefs.camera })}
          >
            <CameraIcon off={!prefs.camera} />
            <span>{prefs.camera ? 'Camera on' : 'Camera off'}</span>
          </button>
        </div>
        {askName && (
          <label className="field">
            <span>Your name</span>
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
          Join
        </button>
      </form>
    </main>
  );
}
