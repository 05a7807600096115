import { useCallback, useState, useSyncExternalStore } from 'react';
import { can } from '@nomades/shared';
import { useTranslation } from 'react-i18next';
import type { RoomClient } from '../media/RoomClient';
import { BoardAndChat, useCollabPanels } from './BoardAndChat';
import { Controls } from './Controls';
import { MediaStage } from './MediaStage';
import { NoticeText } from './NoticeText';
import { LobbyScreen } from './LobbyScreen';
import { ParticipantsPanel } from './ParticipantsPanel';
import { ReconnectBanner } from './ReconnectBanner';

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
  const [showPeople, setShowPeople] = useState(true);
  const inMeeting = room.phase === 'joined' || room.phase === 'reconnecting';
  // The board and chat reconnect by themselves (Hocuspocus): kept through a recovery.
  const collab = useCollabPanels(roomId, client.token, inMeeting);

  if (room.phase === 'lobby') return <LobbyScreen roomName={roomName} onLeave={() => client.close()} />;
  if (!inMeeting || !room.self) {
    return (
      <main className="center" aria-busy="true">
        <p className="status">{t('room.joining')}</p>
      </main>
    );
  }

  const enableSound = (): void => {
    document.querySelectorAll('audio').forEach((audio) => void audio.play().catch(() => undefined));
    setAudioBlocked(false);
  };
  const count = room.peers.length + 1;

  return (
    <main className="room">
      <header className="room-header">
        <h1>{roomName}</h1>
        <span>{t('room.count', { count })}</span>
        {room.recording && (
          <span className="recording-indicator" data-testid="recording-indicator" role="status" style={{ color: '#e5484d', fontWeight: 600 }}>
            <span aria-hidden="true">● </span>
            {t('room.recording')}
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
      <MediaStage client={client} room={room} onAudioBlocked={onAudioBlocked} />
      {showPeople && <ParticipantsPanel room={room} mod={mod} moderation={client.moderation} />}
      <BoardAndChat panels={collab} />
      </div>
      <Controls
        micOn={room.micOn}
        cameraOn={room.cameraOn}
        onToggleMic={() => void client.setMicEnabled(!room.micOn)}
        onToggleCamera={() => void client.setCameraEnabled(!room.cameraOn)}
        onLeave={() => void client.leave()}
        screenOn={Boolean(room.localScreenTrack)}
        onToggleScreen={() => void client.setScreenShareEnabled(!room.localScreenTrack)}
        canPublish={can(mod.role ?? room.self.role, 'microphone')}
        handRaised={mod.controls.hands.some((h) => h.peerId === room.self!.peerId)}
        onToggleHand={() => void client.moderation.setHand(!mod.controls.hands.some((h) => h.peerId === room.self!.peerId))}
        onTogglePeople={() => setShowPeople(!showPeople)}
        boardOpen={collab.boardOpen}
        onToggleBoard={collab.toggleBoard}
        chatOpen={collab.chatOpen}
        onToggleChat={collab.toggleChat}
        chatUnread={collab.unread}
      />
    </main>
  );
}
