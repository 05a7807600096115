import { useEffect, useRef, useState } from 'react';
import type { ErrorPayload } from '@nomades/shared';
import { useTranslation } from 'react-i18next';
import { ClientError } from '../media/ClientError';
import { RoomClient } from '../media/RoomClient';
import type { JoinOptions } from '../media/RoomClientTypes';
import { requestInviteToken } from '../media/invites';
import { requestGuestToken } from '../media/requestGuestToken';
import { requestSessionToken } from '../media/requestSessionToken';
import { rememberRoomToken } from '../media/roomToken';
import { RoomView } from './RoomView';

interface Props {
  roomId: string;
  roomName: string;
  /** Token from the link; without one, a token is asked with the invitation, of the session, or a guest token for `displayName`. */
  token: string | null;
  /** The invitation of an invitation link (INV-4): a room token of one's own is asked with it. */
  invite?: string | null;
  /** AUTH-9: no token nor invitation in the link, and this browser is signed in: the session gives the token. */
  session?: boolean;
  displayName: string;
  prefs: JoinOptions;
  /** Joining failed. */
  onFailed: (error: ErrorPayload) => void;
  /** A joined session ended: null when the user left. */
  onEnded: (reason: ErrorPayload | null) => void;
}

/** Owns one RoomClient for as long as it is mounted: gets a token, joins, closes on unmount. */
export function Meeting({ roomId, roomName, token, invite = null, session = false, displayName, prefs, onFailed, onEnded }: Props) {
  const { t } = useTranslation();
  const [client, setClient] = useState<RoomClient | null>(null);
  const callbacks = useRef({ onFailed, onEnded });
  callbacks.current = { onFailed, onEnded };

  useEffect(() => {
    let active = true;
    let created: RoomClient | null = null;
    const start = async (): Promise<void> => {
      const invited = async (code: string): Promise<string> => {
        const answer = await requestInviteToken(roomId, code, displayName);
        rememberRoomToken(roomId, answer.token); // a reload of this tab is the same person
        return answer.token;
      };
      const roomToken =
        token ??
        (invite
          ? await invited(invite)
          : session
            ? (await requestSessionToken(roomId)).token // never stored: the session itself is the way back in
            : (await requestGuestToken(roomId, displayName)).token);
      if (!active) return;
      created = new RoomClient({ url: window.location.origin, roomId, token: roomToken });
      created.on('closed', (reason) => active && callbacks.current.onEnded(reason));
      setClient(created);
      await created.join(prefs);
    };
    start().catch((error: unknown) => {
      if (active) callbacks.current.onFailed(ClientError.from(error, 'UNAVAILABLE').toPayload());
    });
    // A closed tab leaves at once (the socket's disconnect tells the server), instead of being
    // shown as reconnecting for the grace period (ROOM-4, SIG-13).
    const onPageHide = (event: PageTransitionEvent): void => {
      if (!event.persisted) created?.close();
    };
    window.addEventListener('pagehide', onPageHide);
    return () => {
      active = false;
      window.removeEventListener('pagehide', onPageHide);
      created?.close();
    };
  }, [roomId, token, invite, session, displayName, prefs]);

  if (!client) {
    return (
      <main className="center" aria-busy="true">
        <p className="status">{t('room.joining')}</p>
      </main>
    );
  }
  return <RoomView client={client} roomId={roomId} roomName={roomName} />;
}
