import { useMemo, useState } from 'react';
import { LIMITS, type ErrorPayload } from '@nomades/shared';
import { useTranslation } from 'react-i18next';
import type { JoinOptions } from '../media/RoomClientTypes';
import { guestsAllowedIn } from '../media/roomInfo';
import { takeInvite, takeRoomToken } from '../media/roomToken';
import { EndScreen } from './EndScreen';
import { Meeting } from './Meeting';
import { PreJoin } from './PreJoin';
import { RecordingNotice } from './RecordingNotice';
import { SessionJoinNote } from './SessionJoinNote';
import { SignInChoice } from './SignInChoice';
import { useMe } from './useMe';
import { RoomInfoContext, usePublicRoomInfoState } from './usePublicRoomInfo';

type Stage =
  | { kind: 'prejoin'; error: ErrorPayload | null }
  | { kind: 'meeting' }
  | { kind: 'ended'; reason: ErrorPayload | null };

/** The session's end closes the way in through it: the page offers to sign in again. */
const SESSION_GONE = new Set(['LOGIN_REQUIRED', 'SESSION_ENDED']);

/**
 * `/room/:roomId`. Query parameters: `name` (pre-fills the name), `token` (join with it instead of
 * asking for a guest token; removed from the address bar at once, see roomToken.ts), `invite`
 * (an invitation: the name typed gets a token of its own, INV-4; removed likewise), `autojoin=1`
 * (skip the pre-join screen). The room's human name and recording notice come from NAME-3.
 * Without a token or an invitation in the link, `GET /api/me` decides (AUTH-9, OWN-5): a signed-in
 * agent joins under the session's name with a token the session gives; signed out where sign-in
 * is available, "Se connecter pour rejoindre" (and the guest path where allowed); without sign-in,
 * the guest path as always.
 */
export function RoomPage({ roomId }: { roomId: string }) {
  const { t } = useTranslation();
  const { info, settled } = usePublicRoomInfoState(roomId);
  const [me, setMe] = useMe();
  const roomName = info?.name ?? roomId;
  const params = useMemo(() => new URLSearchParams(window.location.search), []);
  const [token] = useState(() => takeRoomToken(roomId));
  const [invite] = useState(() => takeInvite(roomId));
  const [name, setName] = useState(() => (params.get('name') ?? '').slice(0, LIMITS.maxDisplayNameLength));
  const [prefs, setPrefs] = useState<JoinOptions>({ mic: true, camera: true });
  const [guest, setGuest] = useState(false);
  const [stage, setStage] = useState<Stage>(() =>
    params.get('autojoin') === '1' ? { kind: 'meeting' } : { kind: 'prejoin', error: null },
  );

  const fromLink = Boolean(token || invite);
  const session = !fromLink && me?.signedIn === true ? me : null;
  const mustChoose = !fromLink && !guest && me?.signedIn === false && me.loginAvailable;
  const waiting = !fromLink && (me === null || (mustChoose && !settled));
  /** The session ended while here: the page shows the choice again (its button signs in anew). */
  const sessionGone = (error: ErrorPayload | null): void => {
    if (session && error && SESSION_GONE.has(error.code)) setMe({ signedIn: false, loginAvailable: true, preset: session.preset });
  };

  return <RoomInfoContext.Provider value={info}>{page()}</RoomInfoContext.Provider>;

  function page() {
    if (stage.kind !== 'ended' && waiting) {
      return (
        <main className="center" aria-busy="true">
          <p className="status">{t('room.loading')}</p>
        </main>
      );
    }
    if (stage.kind !== 'ended' && mustChoose) {
      return (
        <SignInChoice
          roomId={roomId}
          roomName={roomName}
          preset={me.preset}
          guestsAllowed={guestsAllowedIn(info)}
          error={stage.kind === 'prejoin' ? stage.error : null}
          onGuest={() => {
            setGuest(true);
            setStage({ kind: 'prejoin', error: stage.kind === 'prejoin' ? stage.error : null });
          }}
        />
      );
    }
    switch (stage.kind) {
      case 'prejoin': {
        const recording = <RecordingNotice notice={info?.recordingNotice ?? null} chatRetentionDays={info?.chatRetentionDays ?? null} />;
        return (
          <PreJoin
            roomName={roomName}
            name={session ? session.name : name}
            onNameChange={setName}
            askName={!token && !session}
            prefs={prefs}
            onPrefsChange={setPrefs}
            error={stage.error}
            onJoin={() => setStage({ kind: 'meeting' })}
            notice={
              session ? (
                <>
                  {recording}
                  <SessionJoinNote name={session.name} roomId={roomId} />
                </>
              ) : (
                recording
              )
            }
          />
        );
      }
      case 'meeting':
        return (
          <Meeting
            roomId={roomId}
            roomName={roomName}
            token={token}
            invite={token ? null : invite}
            session={session !== null}
            displayName={session ? session.name : name.trim() || t('guest')}
            prefs={prefs}
            onFailed={(error) => {
              sessionGone(error);
              setStage({ kind: 'prejoin', error });
            }}
            onEnded={(reason) => {
              sessionGone(reason);
              setStage({ kind: 'ended', reason });
            }}
          />
        );
      case 'ended':
        return <EndScreen reason={stage.reason} onRejoin={() => setStage({ kind: 'prejoin', error: null })} />;
    }
  }
}
