import { useState } from 'react';
import type { ErrorPayload } from '@nomades/shared';
import { useTranslation } from 'react-i18next';
import { createMyRoom } from '../auth/agentApi';
import { ClientError } from '../media/ClientError';
import { ErrorNotice } from './ErrorNotice';

/**
 * OWN-1: "Nouvelle réunion" makes a meeting room in one click and opens it at its pre-join, where
 * its link is shown; "Nouveau café" does the same for a coffee (informal, 8 people, no host needed).
 */
export function NewMeetingButton({ mode = 'meeting' }: { mode?: 'meeting' | 'coffee' }) {
  const { t } = useTranslation('auth');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ErrorPayload | null>(null);
  const create = async (): Promise<void> => {
    setBusy(true);
    setError(null);
    try {
      const room = await createMyRoom(mode === 'coffee' ? { mode } : {});
      window.location.assign(`/room/${encodeURIComponent(room.id)}`);
    } catch (caught) {
      setError(ClientError.from(caught, 'UNAVAILABLE').toPayload());
      setBusy(false);
    }
  };
  return (
    <>
      <button
        type="button"
        className={mode === 'coffee' ? undefined : 'primary'}
        data-testid={mode === 'coffee' ? 'new-coffee' : 'new-meeting'}
        disabled={busy}
        aria-busy={busy}
        onClick={() => void create()}
      >
        {t(mode === 'coffee' ? 'home.newCoffee' : 'home.newMeeting')}
      </button>
      {error && <ErrorNotice error={error} />}
    </>
  );
}
