import { CameraIcon, LeaveIcon, MicIcon } from './icons';

interface Props {
  micOn: boolean;
  cameraOn: boolean;
  onToggleMic: () => void;
  onToggleCamera: () => void;
  onLeave: () => void;
}

/** The meeting's control bar. The data-testid values are a contract with automated browsers. */
export function Controls({ micOn, cameraOn, onToggleMic, onToggleCamera, onLeave }: Props) {
  return (
    <div className="controls" role="toolbar" aria-label="Meeting controls">
      <button
        type="button"
        data-testid="toggle-mic"
        className={micOn ? 'control' : 'control off'}
        aria-label={micOn ? 'Mute microphone' : 'Unmute microphone'}
        title={micOn ? 'Mute microphone' : 'Unmute microphone'}
        onClick={onToggleMic}
      >
        <MicIcon off={!micOn} />
        <span>{micOn ? 'Mute' : 'Unmute'}</span>
      </button>
      <button
        type="button"
        data-testid="toggle-camera"
        className={cameraOn ? 'control' : 'control off'}
        aria-label={cameraOn ? 'Turn camera off' : 'Turn camera on'}
        title={cameraOn ? 'Turn camera off' : 'Turn camera on'}
        onClick={onToggleCamera}
      >
        <CameraIcon off={!cameraOn} />
        <span>{cameraOn ? 'Stop video' : 'Start video'}</span>
      </button>
      <button type="button" data-testid="leave" className="control leave" aria-label="Leave the meeting" onClick={onLeave}>
        <LeaveIcon />
        <span>Leave</span>
      </button>
    </div>
  );
}
