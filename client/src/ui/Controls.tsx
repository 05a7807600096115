import { useTranslation } from 'react-i18next';
import { BoardIcon, CameraFlipIcon, CameraIcon, ChatIcon, HandIcon, HelpIcon, LeaveIcon, MicIcon, PeopleIcon, ScreenShareIcon, SettingsIcon } from './icons';
import type { ReactionEmoji } from '@nomades/shared';
import { ReactionPicker } from './ReactionPicker';
import { ariaKeys } from './shortcuts';

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
  /** The participants panel is shown. */
  peopleOpen?: boolean;
  /** Switch between the front and back cameras (phones with two cameras). */
  onFlipCamera?: () => void;
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
  /** Opens the keyboard shortcuts' help (UI-4). */
  onHelp?: () => void;
  /** Sends a reaction (RCT-1). */
  onReact?: (emoji: ReactionEmoji) => Promise<void>;
  /** Camera, microphone and speaker settings (a side-column tab). */
  onToggleSettings?: () => void;
  settingsOpen?: boolean;
}

/** The meeting's control bar. The data-testid values are a contract with automated browsers. */
export function Controls(props: Props) {
  const { micOn, cameraOn, onToggleMic, onToggleCamera, onLeave, canPublish = true, handRaised, onToggleHand, onTogglePeople } = props;
  const { t } = useTranslation();
  return (
    <div className="controls" data-testid="controls" role="toolbar" aria-label={t('controls.label')}>
      {canPublish && (
        <>
      <button
        type="button"
        data-testid="toggle-mic"
        className={micOn ? 'control' : 'control off'}
        aria-keyshortcuts={ariaKeys('mic')}
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
        aria-keyshortcuts={ariaKeys('camera')}
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
          title={props.screenOn ? t('controls.screenStop') : t('controls.screenShare')}
          onClick={props.onToggleScreen}
        >
          <ScreenShareIcon off={props.screenOn} />
          <span aria-hidden="true">{props.screenOn ? t('controls.screenStopShort') : t('controls.screenShareShort')}</span>
        </button>
      )}
      {props.onFlipCamera && cameraOn && (
        <button type="button" data-testid="flip-camera" className="control" aria-label={t('stage:flipCamera')} title={t('stage:flipCamera')} onClick={props.onFlipCamera}>
          <CameraFlipIcon />
          <span aria-hidden="true">{t('stage:flipCameraShort')}</span>
        </button>
      )}
        </>
      )}
      {props.onReact && <ReactionPicker onReact={props.onReact} />}
      {onToggleHand && (
        <button
          type="button"
          data-testid="raise-hand"
          className={handRaised ? 'control on' : 'control'}
          aria-pressed={handRaised}
          aria-keyshortcuts={ariaKeys('hand')}
          title={handRaised ? t('controls.handLower') : t('controls.handRaise')}
          onClick={onToggleHand}
        >
          <HandIcon />
          <span>{handRaised ? t('controls.handLower') : t('controls.handRaise')}</span>
        </button>
      )}
      {onTogglePeople && (
        <button
          type="button"
          data-testid="toggle-participants"
          className={props.peopleOpen ? 'control on' : 'control'}
          aria-pressed={Boolean(props.peopleOpen)}
          aria-keyshortcuts={ariaKeys('people')}
          title={t('controls.people')}
          onClick={onTogglePeople}
        >
          <PeopleIcon />
          <span>{t('controls.people')}</span>
        </button>
      )}
      {props.onToggleBoard && (
        <button
          type="button"
          data-testid="toggle-board"
          className={props.boardOpen ? 'control on' : 'control'}
          aria-pressed={Boolean(props.boardOpen)}
          aria-keyshortcuts={ariaKeys('board')}
          title={t('controls.board')}
          onClick={props.onToggleBoard}
        >
          <BoardIcon />
          <span>{t('controls.board')}</span>
        </button>
      )}
      {props.onToggleChat && (
        <button
          type="button"
          data-testid="toggle-chat"
          className={props.chatOpen ? 'control on' : 'control'}
          aria-pressed={Boolean(props.chatOpen)}
          aria-keyshortcuts={ariaKeys('chat')}
          title={t('controls.chat')}
          onClick={props.onToggleChat}
        >
          <ChatIcon />
          <span>{t('controls.chat')}</span>
          {Boolean(props.chatUnread) && (
            <span className="badge unread" data-testid="chat-unread" aria-label={t('controls.unread', { count: props.chatUnread })}>
              {props.chatUnread}
            </span>
          )}
        </button>
      )}
      {props.onToggleSettings && (
        <button
          type="button"
          data-testid="toggle-settings"
          className={props.settingsOpen ? 'control on' : 'control'}
          aria-pressed={Boolean(props.settingsOpen)}
          aria-label={t('devices:settingsTitle')}
          title={t('devices:settingsTitle')}
          onClick={props.onToggleSettings}
        >
          <SettingsIcon />
          <span aria-hidden="true">{t('devices:settings')}</span>
        </button>
      )}
      {props.onHelp && (
        <button type="button" data-testid="shortcuts-button" className="control" aria-keyshortcuts={ariaKeys('help')} title={t('controls.help')} onClick={props.onHelp}>
          <HelpIcon />
          <span>{t('controls.help')}</span>
        </button>
      )}
      <button type="button" data-testid="leave" className="control leave" aria-label={t('controls.leave')} aria-keyshortcuts={ariaKeys('leave')} title={t('controls.leave')} onClick={onLeave}>
        <LeaveIcon />
        <span aria-hidden="true">{t('controls.leaveShort')}</span>
      </button>
    </div>
  );
}
