import { useTranslation } from 'react-i18next';
import { BoardIcon, CameraFlipIcon, CameraIcon, ChatIcon, HandIcon, HelpIcon, LeaveIcon, MicIcon, PeopleIcon, ScreenShareIcon, PollIcon, SettingsIcon } from './icons';
import type { ReactionEmoji } from '@nomades/shared';
import { ControlButton } from './ControlButton';
import { ReactionPicker } from './ReactionPicker';

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
  /** Polls and questions (a side-column tab, POLL-n). */
  onTogglePolls?: () => void;
  pollsOpen?: boolean;
}

/** The meeting's control bar. The data-testid values are a contract with automated browsers. */
export function Controls(props: Props) {
  const { micOn, cameraOn, canPublish = true, handRaised } = props;
  const { t } = useTranslation();
  return (
    <div className="controls" data-testid="controls" role="toolbar" aria-label={t('controls.label')}>
      {canPublish && (
        <>
          <ControlButton
            testId="toggle-mic"
            icon={<MicIcon off={!micOn} />}
            text={micOn ? t('controls.micMuteShort') : t('controls.micUnmuteShort')}
            label={micOn ? t('controls.micMute') : t('controls.micUnmute')}
            off={!micOn}
            shortcut="mic"
            onClick={props.onToggleMic}
          />
          <ControlButton
            testId="toggle-camera"
            icon={<CameraIcon off={!cameraOn} />}
            text={cameraOn ? t('controls.cameraOffShort') : t('controls.cameraOnShort')}
            label={cameraOn ? t('controls.cameraOff') : t('controls.cameraOn')}
            off={!cameraOn}
            shortcut="camera"
            onClick={props.onToggleCamera}
          />
          {props.onToggleScreen && (
            <ControlButton
              testId="toggle-screen"
              icon={<ScreenShareIcon off={props.screenOn} />}
              text={props.screenOn ? t('controls.screenStopShort') : t('controls.screenShareShort')}
              label={props.screenOn ? t('controls.screenStop') : t('controls.screenShare')}
              pressed={Boolean(props.screenOn)}
              onClick={props.onToggleScreen}
            />
          )}
          {props.onFlipCamera && cameraOn && (
            <ControlButton testId="flip-camera" icon={<CameraFlipIcon />} text={t('stage:flipCameraShort')} label={t('stage:flipCamera')} onClick={props.onFlipCamera} />
          )}
        </>
      )}
      {props.onReact && <ReactionPicker onReact={props.onReact} />}
      {props.onToggleHand && (
        <ControlButton
          testId="raise-hand"
          icon={<HandIcon />}
          text={handRaised ? t('controls.handLower') : t('controls.handRaise')}
          className={handRaised ? 'on' : undefined}
          shortcut="hand"
          onClick={props.onToggleHand}
        />
      )}
      {props.onTogglePeople && (
        <ControlButton
          testId="toggle-participants"
          icon={<PeopleIcon />}
          text={t('controls.people')}
          pressed={Boolean(props.peopleOpen)}
          shortcut="people"
          onClick={props.onTogglePeople}
        />
      )}
      {props.onToggleBoard && (
        <ControlButton testId="toggle-board" icon={<BoardIcon />} text={t('controls.board')} pressed={Boolean(props.boardOpen)} shortcut="board" onClick={props.onToggleBoard} />
      )}
      {props.onToggleChat && (
        <ControlButton testId="toggle-chat" icon={<ChatIcon />} text={t('controls.chat')} pressed={Boolean(props.chatOpen)} shortcut="chat" onClick={props.onToggleChat}>
          {Boolean(props.chatUnread) && (
            <span className="badge unread" data-testid="chat-unread" aria-label={t('controls.unread', { count: props.chatUnread })}>
              {props.chatUnread}
            </span>
          )}
        </ControlButton>
      )}
      {props.onTogglePolls && (
        <ControlButton
          testId="toggle-polls"
          icon={<PollIcon />}
          text={t('polls:toggle')}
          label={t('polls:toggleLabel')}
          pressed={Boolean(props.pollsOpen)}
          onClick={props.onTogglePolls}
        />
      )}
      {props.onToggleSettings && (
        <ControlButton
          testId="toggle-settings"
          icon={<SettingsIcon />}
          text={t('devices:settings')}
          label={t('devices:settingsTitle')}
          pressed={Boolean(props.settingsOpen)}
          onClick={props.onToggleSettings}
        />
      )}
      {props.onHelp && <ControlButton testId="shortcuts-button" icon={<HelpIcon />} text={t('controls.help')} shortcut="help" onClick={props.onHelp} />}
      <ControlButton
        testId="leave"
        icon={<LeaveIcon />}
        text={t('controls.leaveShort')}
        label={t('controls.leave')}
        shortcut="leave"
        className="leave"
        onClick={props.onLeave}
      />
    </div>
  );
}
