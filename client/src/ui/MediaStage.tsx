import { useState, useSyncExternalStore } from 'react';
import { useTranslation } from 'react-i18next';
import type { RoomClient } from '../media/RoomClient';
import type { RoomSnapshot } from '../media/RoomClientTypes';
import { GridIcon, SpeakerIcon } from './icons';
import { LocalTile } from './LocalTile';
import { ParticipantTile } from './ParticipantTile';
import { VideoTrack } from './VideoTrack';

type Layout = 'grid' | 'speaker';

interface Props {
  client: RoomClient;
  room: RoomSnapshot;
  onAudioBlocked: () => void;
  /** The board has the stage: every video, the shared screen too, in one row of small tiles. */
  filmstrip?: boolean;
}

/**
 * Where the video goes: a shared screen large for everyone; then either the grid of every tile
 * or the speaker view (the active speaker large, the others in a strip). Speaking tiles are
 * highlighted. Each tile reports its size and visibility so that only what is shown is received.
 * When the board is open, a filmstrip instead: a row of small tiles that scrolls sideways.
 */
export function MediaStage({ client, room, onAudioBlocked, filmstrip = false }: Props) {
  const { t } = useTranslation();
  const speakers = useSyncExternalStore(client.speakers.subscribe, client.speakers.getSnapshot);
  const [layout, setLayout] = useState<Layout>('grid');
  const self = room.self!;
  const sharer = room.peers.find((p) => p.screenTrack);
  const featured =
    layout === 'speaker' && !sharer ? (room.peers.find((p) => p.id === speakers.activeSpeakerId) ?? room.peers[0]) : undefined;
  const tile = (peer: RoomSnapshot['peers'][number]) => (
    <ParticipantTile
      key={peer.id}
      peer={peer}
      onAudioBlocked={onAudioBlocked}
      onViewport={(viewport) => client.setTileViewport(peer.id, viewport)}
      speaking={speakers.speaking.has(peer.id)}
    />
  );
  const strip = Boolean(sharer || featured);
  const count = room.peers.length + 1;
  const local = <LocalTile peerId={self.peerId} name={self.displayName} track={room.localVideoTrack} micOn={room.micOn} />;

  if (filmstrip) {
    return (
      <div className="media-stage filmstrip-mode">
        {room.localScreenTrack && (
          <div className="notice" role="status" data-testid="sharing-notice">
            {t('mediaStage.youShare')}
          </div>
        )}
        {/* Focusable: the keyboard scrolls it too (its tiles hold nothing to focus). */}
        <section className="filmstrip" data-testid="filmstrip" aria-label={t('stage:filmstrip')} tabIndex={0}>
          {sharer && (
            <div className="screen-thumb" role="group" aria-label={t('mediaStage.screenOf', { name: sharer.displayName })}>
              <VideoTrack track={sharer.screenTrack} testId="screen-video" />
              <span className="name-tag">{t('mediaStage.sharing', { name: sharer.displayName })}</span>
            </div>
          )}
          {local}
          {room.peers.map(tile)}
        </section>
      </div>
    );
  }

  return (
    <div className={`media-stage layout-${layout}`}>
      <div className="layout-switch" role="group" aria-label={t('mediaStage.layout')}>
        {(['grid', 'speaker'] as const).map((l) => (
          <button key={l} type="button" data-testid={`layout-${l}`} aria-pressed={layout === l} onClick={() => setLayout(l)}>
            {l === 'grid' ? <GridIcon size={16} /> : <SpeakerIcon size={16} />}
            <span>{l === 'grid' ? t('mediaStage.grid') : t('mediaStage.speaker')}</span>
          </button>
        ))}
      </div>
      {sharer && (
        <section className="screen-stage" aria-label={t('mediaStage.screenOf', { name: sharer.displayName })}>
          <VideoTrack track={sharer.screenTrack} testId="screen-video" />
          <span className="caption">{t('mediaStage.sharing', { name: sharer.displayName })}</span>
        </section>
      )}
      {room.localScreenTrack && (
        <div className="notice" role="status" data-testid="sharing-notice">
          {t('mediaStage.youShare')}
        </div>
      )}
      {featured && <section className="speaker-stage">{tile(featured)}</section>}
      <section className={strip ? 'strip' : `grid grid-${Math.min(count, 4)}`} aria-label={t('mediaStage.tiles')} tabIndex={0}>
        {local}
        {room.peers.filter((p) => p !== featured).map(tile)}
      </section>
    </div>
  );
}
