import { useCallback, useState, useSyncExternalStore } from 'react';
import { can } from '@nomades/shared';
import { useTranslation } from 'react-i18next';
import type { RoomClient } from '../media/RoomClient';
import { CollabBoard, CollabChat, useCollabPanels } from './BoardAndChat';
import { Announcer } from './Announcer';
import { ConfirmLeave } from './ConfirmLeave';
import { Controls } from './Controls';
import { ChatIcon, PeopleIcon, PollIcon, RecordDotIcon, RecordingsIcon, SettingsIcon } from './icons';
import { MeetingDeviceSettings } from './MeetingDeviceSettings';
import { QualityContext } from './QualityContext';
import { MediaStage } from './MediaStage';
import { NoticeText } from './NoticeText';
import { LobbyScreen } from './LobbyScreen';
import { ParticipantsPanel } from './ParticipantsPanel';
import { PollsPanel } from './PollsPanel';
import { RecordingsPanel } from './RecordingsPanel';
import { ReactionsContext } from './reactionsContext';
import { ReconnectBanner } from './ReconnectBanner';
import { SharingControls } from './SharingControls';
import { ShortcutsHelp } from './ShortcutsHelp';
import { useAnnouncements } from './useAnnouncements';
import { useShortcuts } from './useShortcuts';
import { SideColumn, type SideTab } from './SideColumn';
import { useCameraFlip } from './useCameraFlip';
import { canShareScreen, NARROW_QUERY } from './useMediaQuery';
import { useSidePanels } from './useSidePanels';

/**
 * The meeting itself: a grid of tiles and the control bar, rendered from the client's snapshot.
 * It stays mounted while the meeting is being recovered (a banner says so): the layout and the
 * open board and chat panels survive a reconnection.
 */
export function RoomView({ client, roomId, roomName }: { client: RoomClient; roomId: string; roomName: string }) {
  const { t } = useTranslation();
  const room = useSyncExternalStore(client.subscribe, client.getSnapshot);
  const [audioBlocked, setAudioBlocked] = useState(false);
  const onAudioBlocked = useCallback(() => setAudioBlocked(true), []);
  const mod = useSyncExternalStore(client.moderation.subscribe, client.moderation.getSnapshot);
  const pollState = useSyncExternalStore(client.polls.subscribe, client.polls.getSnapshot);
  // Side panels share one column (tabs); participants shown at first, except on a phone.
  const side = useSidePanels(window.matchMedia(NARROW_QUERY).matches ? [] : ['participants']);
  const inMeeting = room.phase === 'joined' || room.phase === 'reconnecting';
  // The board and chat reconnect by themselves (Hocuspocus): kept through a recovery.
  const collab = useCollabPanels(room.node, roomId, client.token, inMeeting, { shown: side.isShown('chat'), toggle: () => side.toggle('chat') });
  const flipCamera = useCameraFlip(client, room.localCameraTrack);
  const [dialog, setDialog] = useState<'help' | 'leave' | null>(null);
  // A dialog's `close` event comes a task later: it must not close the one opened meanwhile.
  const closeDialog = (which: 'help' | 'leave'): void => setDialog((open) => (open === which ? null : open));
  const announcements = useAnnouncements(room, mod, {
    messages: collab.snapshot.messages,
    synced: collab.snapshot.status === 'synced',
    selfId: collab.collab?.user.id,
  }, pollState);
  const mayPublish = Boolean(room.self) && can(mod.role ?? room.self!.role, 'microphone');
  const handRaised = mod.controls.hands.some((h) => h.peerId === room.self?.peerId);
  const shortcuts = useShortcuts((action) => {
    if (!inMeeting || !room.self) return;
    if (action === 'mic' && mayPublish) void client.setMicEnabled(!room.micOn);
    else if (action === 'camera' && mayPublish) void client.setCameraEnabled(!room.cameraOn);
    else if (action === 'hand') void client.moderation.setHand(!handRaised);
    else if (action === 'chat') collab.toggleChat();
    else if (action === 'people') side.toggle('participants');
    else if (action === 'board') collab.toggleBoard();
    else if (action === 'leave' || action === 'help') setDialog(action);
  });
  // The live region stays mounted from the lobby to the room (first child of every branch).
  const announcer = <Announcer announcements={announcements} />;

  if (room.phase === 'lobby') {
    return (
      <>
        {announcer}
        <LobbyScreen roomName={roomName} onLeave={() => client.close()} />
      </>
    );
  }
  if (!inMeeting || !room.self) {
    return (
      <>
        {announcer}
        <main className="center" aria-busy="true">
          <p className="status">{t('room.joining')}</p>
        </main>
      </>
    );
  }

  const enableSound = (): void => {
    document.querySelectorAll('audio').forEach((audio) => void audio.play().catch(() => undefined));
    setAudioBlocked(false);
  };
  const count = room.peers.length + 1;
  const boardShown = collab.boardOpen && collab.collab !== null;
  const panels: Partial<Record<SideTab['id'], SideTab>> = {
    participants: {
      id: 'participants',
      label: t('stage:tabParticipants'),
      icon: <PeopleIcon size={18} />,
      content: <ParticipantsPanel room={room} mod={mod} moderation={client.moderation} />,
    },
    chat: { id: 'chat', label: t('stage:tabChat'), icon: <ChatIcon size={18} />, content: <CollabChat panels={collab} /> },
    polls: {
      id: 'polls',
      label: t('polls:tab'),
      icon: <PollIcon size={18} />,
      content: (
        <PollsPanel
          polls={client.polls}
          role={mod.role ?? room.self.role}
          roomId={roomId}
          token={client.token}
          roleOf={(peerId) => mod.roles.get(peerId) ?? room.peers.find((p) => p.id === peerId)?.role}
        />
      ),
    },
    settings: { id: 'settings', label: t('devices:settings'), icon: <SettingsIcon size={18} />, content: <MeetingDeviceSettings client={client} room={room} /> },
    recordings: { id: 'recordings', label: t('sharing:recordings.title'), icon: <RecordingsIcon size={18} />, content: <RecordingsPanel roomId={roomId} token={client.token} role={mod.role ?? room.self.role} /> },
  };
  const tabs = side.open.flatMap((id) => panels[id] ?? []);

  return (
    <>
    {announcer}
    <QualityContext.Provider value={client.quality}>
    <ReactionsContext.Provider value={client.reactions}>
    <main className="room">
      <header className="room-header">
        <h1>{roomName}</h1>
        <span>{t('room.count', { count })}</span>
        <SharingControls
          roomId={roomId}
          token={client.token}
          role={mod.role ?? room.self.role}
          recordingsOpen={side.isShown('recordings')}
          onToggleRecordings={() => side.toggle('recordings')}
        />
        {room.recording && (
          <span className="recording-indicator" data-testid="recording-indicator" role="status">
            <RecordDotIcon />
            {t('room.recording')}
          </span>
        )}
        {!room.recording && room.recordingStatus && room.recordingStatus !== 'recording' && (
          <span className="recording-status" data-testid="recording-status" data-status={room.recordingStatus} role="status">
            {{ processing: t('room.recordingProcessing'), ready: t('room.recordingReady'), failed: t('room.recordingFailed') }[room.recordingStatus]}
          </span>
        )}
      </header>
      {room.reconnecting && <ReconnectBanner stalled={room.stalled} onRetry={() => client.retry()} />}
      {room.warning && (
        <div className="notice" role="status">
          <NoticeText notice={room.warning} />
        </div>
      )}
      {mod.notice && (
        <button
          type="button"
          className="notice action"
          data-testid="moderation-notice"
          aria-description={t('room.dismiss')}
          onClick={() => client.moderation.dismissNotice()}
        >
          <NoticeText notice={mod.notice} />
        </button>
      )}
      {audioBlocked && (
        <button type="button" className="notice action" onClick={enableSound}>
          {t('room.audioBlocked')}
        </button>
      )}
      <div className="stage">
        {/* The board, when open, takes the main area; the videos then go to a filmstrip above it. */}
        <div className="main-area">
          <MediaStage client={client} room={room} onAudioBlocked={onAudioBlocked} filmstrip={boardShown} />
          <CollabBoard panels={collab} />
        </div>
        {side.active && <SideColumn tabs={tabs} active={side.active} onSelect={side.select} onClose={side.close} />}
      </div>
      <Controls
        micOn={room.micOn}
        cameraOn={room.cameraOn}
        onToggleMic={() => void client.setMicEnabled(!room.micOn)}
        onToggleCamera={() => void client.setCameraEnabled(!room.cameraOn)}
        onLeave={() => void client.leave()}
        screenOn={Boolean(room.localScreenTrack)}
        onToggleScreen={canShareScreen() ? () => void client.setScreenShareEnabled(!room.localScreenTrack) : undefined}
        onFlipCamera={flipCamera}
        canPublish={mayPublish}
        handRaised={handRaised}
        onToggleHand={() => void client.moderation.setHand(!handRaised)}
        onTogglePeople={() => side.toggle('participants')}
        peopleOpen={side.isShown('participants')}
        boardOpen={collab.boardOpen}
        onToggleBoard={collab.toggleBoard}
        chatOpen={collab.chatOpen}
        onToggleChat={collab.toggleChat}
        chatUnread={collab.unread}
        onHelp={() => setDialog('help')}
        onReact={(emoji) => client.react(emoji)}
        onTogglePolls={() => side.toggle('polls')}
        pollsOpen={side.isShown('polls')}
        onToggleSettings={() => side.toggle('settings')}
        settingsOpen={side.isShown('settings')}
      />
      <ShortcutsHelp open={dialog === 'help'} onClose={() => closeDialog('help')} enabled={shortcuts.enabled} onEnabledChange={shortcuts.setEnabled} />
      <ConfirmLeave open={dialog === 'leave'} onClose={() => closeDialog('leave')} onLeave={() => void client.leave()} />
    </main>
    </ReactionsContext.Provider>
    </QualityContext.Provider>
    </>
  );
}
