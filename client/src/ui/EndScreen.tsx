import type { ErrorPayload } from '@nomades/shared';
import { ErrorNotice } from './ErrorNotice';

/** After the meeting: why it ended, and a way back in. */
export function EndScreen({ reason, onRejoin }: { reason: ErrorPayload | null; onRejoin: () => void }) {
  return (
    <main className="center">
      <div className="card" data-testid="ended">
        <h1>{reason ? 'The meeting ended for you' : 'You left the meeting'}</h1>
        {reason && <ErrorNotice error={reason} />}
        <div className="actions">
          <button type="button" className="primary" data-testid="rejoin" onClick={onRejoin}>
            Rejoin
          </button>
          <a href="/">Home</a>
        </div>
      </div>
    </main>
  );
}
