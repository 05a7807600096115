import './sharing.css';
import { useCallback, useEffect, useRef, useState } from 'react';
import { can, type CaptionCue, type ErrorPayload, type Role, type ViewableRecording } from '@nomades/shared';
import { useTranslation } from 'react-i18next';
import { ClientError } from '../media/ClientError';
import { fetchRecordings } from '../media/roomInfo';
import { CaptionsEditor } from './CaptionsEditor';
import { describeError } from './errorMessages';
import { formatDuration, formatRecordingDate } from './formatRecording';
import { CaptionsIcon, DownloadIcon } from './icons';
import { RecordingPlayer } from './RecordingPlayer';

type State = { kind: 'loading' } | { kind: 'error'; error: ErrorPayload } | { kind: 'list'; recordings: ViewableRecording[] };

/**
 * REC-V3: the room's recordings for a role that may watch them (REC-V1), with a room token: date
 * and length in the agent's language, a player (`<video controls>`, seeking through HTTP ranges)
 * and a download link, both on the recording's signed address (valid an hour: the list is asked
 * again each time the panel opens, and on "refresh"). `[data-testid="recordings"]`. CAP-8: the
 * player shows the recording's captions, the download offers them too, and a role with the
 * `captions` right (`role`: the live one) edits them beside the player.
 */
export function RecordingsPanel({ roomId, token, role }: { roomId: string; token: string; role: Role }) {
  const { t, i18n } = useTranslation('sharing');
  const [state, setState] = useState<State>({ kind: 'loading' });
  const [playing, setPlaying] = useState<string | null>(null);
  const videoRef = useRef<HTMLVideoElement>(null);
  // The playing recording's stored captions, as its player read them (for the editor).
  const [stored, setStored] = useState<{ id: string; cues: CaptionCue[] } | null>(null);
  const mayEditCaptions = can(role, 'captions');

  /** `quiet`: the list is asked again without leaving it (after captions changed: the player keeps playing). */
  const load = useCallback(
    async (quiet = false): Promise<void> => {
      if (!quiet) setState({ kind: 'loading' });
      try {
        setState({ kind: 'list', recordings: await fetchRecordings(roomId, token) });
      } catch (caught) {
        setState({ kind: 'error', error: ClientError.from(caught, 'UNAVAILABLE').toPayload() });
      }
    },
    [roomId, token],
  );
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
                {r.status === 'processing' && <p>{r.queuePosition ? t('recordings.queued', { count: r.queuePosition }) : t('recordings.processing')}</p>}
                {r.status === 'failed' && <p data-testid="recording-failed">{t('recordings.failed')}</p>}
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
                    {r.captionsUrl && (
                      <a
                        className="control small"
                        data-testid="recording-captions-download"
                        href={r.captionsUrl}
                        download={`${r.id}.vtt`}
                        aria-label={t('captions.download', { date })}
                      >
                        <CaptionsIcon size={18} />
                        <span aria-hidden="true">{t('captions.downloadShort')}</span>
                      </a>
                    )}
                  </div>
                )}
                {r.url && playing === r.id && (
                  <RecordingPlayer
                    recording={r}
                    label={t('recordings.player', { date })}
                    videoRef={videoRef}
                    onCues={mayEditCaptions ? (cues) => setStored({ id: r.id, cues }) : undefined}
                  />
                )}
                {r.url && playing === r.id && mayEditCaptions && (
                  <CaptionsEditor
                    recording={r}
                    date={date}
                    token={token}
                    playhead={() => (videoRef.current?.currentTime ?? 0) * 1000}
                    stored={stored?.id === r.id ? stored.cues : null}
                    onChanged={() => void load(true)}
                  />
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
