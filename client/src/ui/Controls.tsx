import { useTranslation } from 'react-i18next';
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
  const { t } = useTranslation();
  return (
    <div className="controls" role="toolbar" aria-label={t('controls.label')}>
      {canPublish && (
        <>
      <button
        type="button"
        data-testid="toggle-mic"
        className={micOn ? 'control' : 'control off'}
        aria-label={micOn ? t('controls.micMute') : t('controls.micUnmute')}
        title={micOn ? t('controls.micMute') : t('controls.micUnmute')}
        onClick={onToggleMic}
      >
        <MicIcon off={!micOn} />
        <span aria-hidden="true">{micOn ? t('controls.micMuteShort') : t('controls.micUnmuteShort')}</span>
      </button>
      <button
        type="button"
        data-testid="toggle-camera"
        className={cameraOn ? 'control' : 'control off'}
        aria-label={cameraOn ? t('controls.cameraOff') : t('controls.cameraOn')}
        title={cameraOn ? t('controls.cameraOff') : t('controls.cameraOn')}
        onClick={onToggleCamera}
      >
        <CameraIcon off={!cameraOn} />
        <span aria-hidden="true">{cameraOn ? t('controls.cameraOffShort') : t('controls.cameraOnShort')}</span>
      </button>
      {props.onToggleScreen && (
        <button
          type="button"
          data-testid="toggle-screen"
          className={props.screenOn ? 'control on' : 'control'}
          aria-pressed={Boolean(props.screenOn)}
          aria-label={props.screenOn ? t('controls.screenStop') : t('controls.screenShare')}
          onClick={props.onToggleScreen}
        >
          <span aria-hidden="true">🖥</span>
          <span aria-hidden="true">{props.screenOn ? t('controls.screenStopShort') : t('controls.screenShareShort')}</span>
        </button>
      )}
        </>
      )}
      {onToggleHand && (
        <button type="button" data-testid="raise-hand" className={handRaised ? 'control on' : 'control'} aria-pressed={handRaised} onClick={onToggleHand}>
          <span aria-hidden="true">✋</span>
          <span>{handRaised ? t('controls.handLower') : t('controls.handRaise')}</span>
        </button>
      )}
      {onTogglePeople && (
        <button type="button" data-testid="toggle-participants" className="control" onClick={onTogglePeople}>
          <span>{t('controls.people')}</span>
        </button>
      )}
      {props.onToggleBoard && (
        <button type="button" data-testid="toggle-board" className={props.boardOpen ? 'control on' : 'control'} aria-pressed={Boolean(props.boardOpen)} onClick={props.onToggleBoard}>
          <span aria-hidden="true">✎</span>
          <span>{t('controls.board')}</span>
        </button>
      )}
      {props.onToggleChat && (
        <button type="button" data-testid="toggle-chat" className={props.chatOpen ? 'control on' : 'control'} aria-pressed={Boolean(props.chatOpen)} onClick={props.onToggleChat}>
          <span aria-hidden="true">💬</span>
          <span>{t('controls.chat')}</span>
          {Boolean(props.chatUnread) && (
            <span className="badge unread" data-testid="chat-unread" aria-label={t('controls.unread', { count: props.chatUnread })}>
              {props.chatUnread}
            </span>
          )}
        </button>
      )}
      <button type="button" data-testid="leave" className="control leave" aria-label={t('controls.leave')} onClick={onLeave}>
        <LeaveIcon />
        <span aria-hidden="true">{t('controls.leaveShort')}</span>
      </button>
    </div>
  );
}
