import { useEffect, useState } from 'react';
import type { MeAnswer } from '@nomades/shared';
import { fetchMe } from '../auth/agentApi';

/** What a server without sign-in (or an unreadable answer) means: the page as it always was. */
export const SIGNED_OUT_NO_LOGIN: MeAnswer = { signedIn: false, loginAvailable: false, preset: null };

/**
 * AUTH-10: who this browser's session is, asked once per page (never guessed); null until the
 * answer comes. When it cannot be had, the page behaves as without sign-in.
 */
export function useMe(): [MeAnswer | null, (me: MeAnswer) => void] {
  const [me, setMe] = useState<MeAnswer | null>(null);
  useEffect(() => {
    let active = true;
    fetchMe().then(
      (answer) => active && setMe(answer),
      (error: unknown) => {
        console.warn('session information unavailable', error);
        if (active) setMe(SIGNED_OUT_NO_LOGIN);
      },
    );
    return () => {
      active = false;
    };
  }, []);
  return [me, setMe];
}
