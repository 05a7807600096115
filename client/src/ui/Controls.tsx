import { CameraIcon, LeaveIcon, MicIcon } from './icons';

interface Props {
  micOn: boolean;
  cameraOn: boolean;
  onToggleMic: () => void;
  onToggleCamera: () => void;
  onLeave: () => void;
  /** The role may publish (attendees may not, until promoted: ROLE-3). */
  canPublish?: boolean;
  handRaised?: boolean;
  onToggleHand?: () => void;
  onTogglePeople?: () => void;
  /** This client shares its screen. */
  screenOn?: boolean;
  onToggleScreen?: () => void;
  /** Whiteboard and chat panels (BoardAndChat.tsx). */
  boardOpen?: boolean;
  onToggleBoard?: () => void;
  chatOpen?: boolean;
  onToggleChat?: () => void;
  /** Chat messages received while the chat is hidden. */
  chatUnread?: number;
}

/** The meeting's control bar. The data-testid values are a contract with automated browsers. */
export function Controls(props: Props) {
  const { micOn, cameraOn, onToggleMic, onToggleCamera, onLeave, canPublish = true, handRaised, onToggleHand, onTogglePeople } = props;
  return (
    <div className="controls" role="toolbar" aria-label="Meeting controls">
      {canPublish && (
        <>
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
      {props.onToggleScreen && (
        <button
          type="button"
          data-testid="toggle-screen"
          className={props.screenOn ? 'control on' : 'control'}
          aria-pressed={Boolean(props.screenOn)}
          aria-label={props.screenOn ? 'Stop sharing your screen' : 'Share your screen'}
          onClick={props.onToggleScreen}
        >
          <span aria-hidden="true">🖥</span>
          <span>{props.screenOn ? 'Stop sharing' : 'Share screen'}</span>
        </button>
      )}
        </>
      )}
      {onToggleHand && (
        <button type="button" data-testid="raise-hand" className={handRaised ? 'control on' : 'control'} aria-pressed={handRaised} onClick={onToggleHand}>
          <span aria-hidden="true">✋</span>
          <span>{handRaised ? 'Lower hand' : 'Raise hand'}</span>
        </button>
      )}
      {onTogglePeople && (
        <button type="button" data-testid="toggle-participants" className="control" onClick={onTogglePeople}>
          <span>People</span>
        </button>
      )}
      {props.onToggleBoard && (
        <button type="button" data-testid="toggle-board" className={props.boardOpen ? 'control on' : 'control'} aria-pressed={Boolean(props.boardOpen)} onClick={props.onToggleBoard}>
          <span aria-hidden="true">✎</span>
          <span>Board</span>
        </button>
      )}
      {props.onToggleChat && (
        <button type="button" data-testid="toggle-chat" className={props.chatOpen ? 'control on' : 'control'} aria-pressed={Boolean(props.chatOpen)} onClick={props.onToggleChat}>
          <span aria-hidden="true">💬</span>
          <span>Chat</span>
          {Boolean(props.chatUnread) && (
            <span className="badge unread" data-testid="chat-unread" aria-label={`${props.chatUnread} unread messages`}>
              {props.chatUnread}
            </span>
          )}
        </button>
      )}
      <button type="button" data-testid="leave" className="control leave" aria-label="Leave the meeting" onClick={onLeave}>
        <LeaveIcon />
        <span>Leave</span>
      </button>
    </div>
  );
}
