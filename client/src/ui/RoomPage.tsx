import { useMemo, useState } from 'react';
import { LIMITS, type ErrorPayload } from '@nomades/shared';
import { useTranslation } from 'react-i18next';
import type { JoinOptions } from '../media/RoomClientTypes';
import { takeInvite, takeRoomToken } from '../media/roomToken';
import { EndScreen } from './EndScreen';
import { Meeting } from './Meeting';
import { PreJoin } from './PreJoin';
import { RecordingNotice } from './RecordingNotice';
import { RoomInfoContext, usePublicRoomInfo } from './usePublicRoomInfo';

type Stage =
  | { kind: 'prejoin'; error: ErrorPayload | null }
  | { kind: 'meeting' }
  | { kind: 'ended'; reason: ErrorPayload | null };

/**
 * `/room/:roomId`. Query parameters: `name` (pre-fills the name), `token` (join with it instead of
 * asking for a guest token; removed from the address bar at once, see roomToken.ts), `invite`
 * (an invitation: the name typed gets a token of its own, INV-4; removed likewise), `autojoin=1`
 * (skip the pre-join screen). The room's human name and recording notice come from NAME-3.
 */
export function RoomPage({ roomId }: { roomId: string }) {
  const { t } = useTranslation();
  const info = usePublicRoomInfo(roomId);
  const roomName = info?.name ?? roomId;
  const params = useMemo(() => new URLSearchParams(window.location.search), []);
  const [token] = useState(() => takeRoomToken(roomId));
  const [invite] = useState(() => takeInvite(roomId));
  const [name, setName] = useState(() => (params.get('name') ?? '').slice(0, LIMITS.maxDisplayNameLength));
  const [prefs, setPrefs] = useState<JoinOptions>({ mic: true, camera: true });
  const [stage, setStage] = useState<Stage>(() =>
    params.get('autojoin') === '1' ? { kind: 'meeting' } : { kind: 'prejoin', error: null },
  );

  return <RoomInfoContext.Provider value={info}>{page()}</RoomInfoContext.Provider>;

  function page() {
    switch (stage.kind) {
      case 'prejoin':
        return (
          <PreJoin
            roomName={roomName}
            name={name}
            onNameChange={setName}
            askName={!token}
            prefs={prefs}
            onPrefsChange={setPrefs}
            error={stage.error}
            onJoin={() => setStage({ kind: 'meeting' })}
            notice={<RecordingNotice notice={info?.recordingNotice ?? null} chatRetentionDays={info?.chatRetentionDays ?? null} />}
          />
        );
      case 'meeting':
        return (
          <Meeting
            roomId={roomId}
            roomName={roomName}
            token={token}
            invite={token ? null : invite}
            displayName={name.trim() || t('guest')}
            prefs={prefs}
            onFailed={(error) => setStage({ kind: 'prejoin', error })}
            onEnded={(reason) => setStage({ kind: 'ended', reason })}
          />
        );
      case 'ended':
        return <EndScreen reason={stage.reason} onRejoin={() => setStage({ kind: 'prejoin', error: null })} />;
    }
  }
}
