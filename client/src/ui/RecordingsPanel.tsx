import './sharing.css';
import { useCallback, useEffect, useState } from 'react';
import type { ErrorPayload, ViewableRecording } from '@nomades/shared';
import { useTranslation } from 'react-i18next';
import { ClientError } from '../media/ClientError';
import { fetchRecordings } from '../media/roomInfo';
import { describeError } from './errorMessages';
import { formatDuration, formatRecordingDate } from './formatRecording';
import { DownloadIcon } from './icons';

type State = { kind: 'loading' } | { kind: 'error'; error: ErrorPayload } | { kind: 'list'; recordings: ViewableRecording[] };

/**
 * REC-V3: the room's recordings for a role that may watch them (REC-V1), with a room token: date
 * and length in the agent's language, a player (`<video controls>`, seeking through HTTP ranges)
 * and a download link, both on the recording's signed address (valid an hour: the list is asked
 * again each time the panel opens, and on "refresh"). `[data-testid="recordings"]`.
 */
export function RecordingsPanel({ roomId, token }: { roomId: string; token: string }) {
  const { t, i18n } = useTranslation('sharing');
  const [state, setState] = useState<State>({ kind: 'loading' });
  const [playing, setPlaying] = useState<string | null>(null);

  const load = useCallback(async (): Promise<void> => {
    setState({ kind: 'loading' });
    try {
      setState({ kind: 'list', recordings: await fetchRecordings(roomId, token) });
    } catch (caught) {
      setState({ kind: 'error', error: ClientError.from(caught, 'UNAVAILABLE').toPayload() });
    }
  }, [roomId, token]);
  useEffect(() => void load(), [load]);

  return (
    <section className="panel recordings" data-testid="recordings" aria-labelledby="recordings-title" aria-busy={state.kind === 'loading'}>
      <h2 id="recordings-title">{t('recordings.title')}</h2>
      {state.kind === 'loading' && <p className="status">{t('recordings.loading')}</p>}
      {state.kind === 'error' && (
        <p className="notice error" role="alert" data-testid="recordings-error" data-code={state.error.code}>
          {state.error.code === 'FORBIDDEN' ? t('recordings.forbidden') : describeError(t, state.error)}
        </p>
      )}
      {state.kind === 'list' && state.recordings.length === 0 && <p data-testid="recordings-empty">{t('recordings.empty')}</p>}
      {state.kind === 'list' && state.recordings.length > 0 && (
        <ul className="recording-list">
          {state.recordings.map((r) => {
            const date = formatRecordingDate(r.startedAt, i18n.language);
            return (
              <li key={r.id} data-testid="recording-item" data-recording-id={r.id} data-status={r.status}>
                <h3>{t('recordings.item', { date })}</h3>
                {r.status === 'ready' && <p>{t('recordings.duration', { duration: formatDuration(r.durationMs, i18n.language) })}</p>}
                {r.status === 'processing' && <p>{t('recordings.processing')}</p>}
                {r.status === 'recording' && <p>{t('recordings.inProgress')}</p>}
                {r.url && (
                  <div className="recording-actions">
                    <button
                      type="button"
                      className="control small"
                      data-testid="recording-play"
                      aria-label={t('recordings.watch', { date })}
                      aria-pressed={playing === r.id}
                      onClick={() => setPlaying(playing === r.id ? null : r.id)}
                    >
                      {t('recordings.watchShort')}
                    </button>
                    <a className="control small" data-testid="recording-download" href={r.url} download aria-label={t('recordings.download', { date })}>
                      <DownloadIcon size={18} />
                      <span aria-hidden="true">{t('recordings.downloadShort')}</span>
                    </a>
                  </div>
                )}
                {r.url && playing === r.id && (
                  // A meeting's recording has no captions to offer.
                  <video data-testid="recording-video" src={r.url} controls preload="metadata" aria-label={t('recordings.player', { date })} />
                )}
              </li>
            );
          })}
        </ul>
      )}
      <button type="button" className="control small" data-testid="recordings-refresh" onClick={() => void load()}>
        {t('recordings.refresh')}
      </button>
    </section>
  );
}
