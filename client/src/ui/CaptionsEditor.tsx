import { useEffect, useRef, useState } from 'react';
import { serializeVtt, type CaptionCue, type ErrorPayload, type ViewableRecording } from '@nomades/shared';
import type { TFunction } from 'i18next';
import { useTranslation } from 'react-i18next';
import { ClientError } from '../media/ClientError';
import { captionsFormatOf, deleteCaptions, putCaptions } from '../media/captionsApi';
import { formatCaptionTime, parseCaptionTime } from './captionTime';
import { describeError } from './errorMessages';
import { formatDuration } from './formatRecording';

interface Props {
  recording: ViewableRecording;
  /** The recording's date in the agent's language, for the editor's title. */
  date: string;
  /** The host's room token (CAP-1). */
  token: string;
  /** Where the player is, in ms. */
  playhead: () => number;
  /** The stored captions as the player read them; null until it has. */
  stored: CaptionCue[] | null;
  /** Captions were put or removed: the list is asked again (a new captionsUrl for the track). */
  onChanged: () => void;
}

interface Row {
  key: number;
  start: string;
  end: string;
  text: string;
}

type Status = { kind: 'idle' } | { kind: 'busy' } | { kind: 'saved'; cues: number } | { kind: 'deleted' } | { kind: 'error'; code: string; message: string };

/** A cue taken at the playhead lasts this long unless its end is taken too. */
const DEFAULT_CUE_MS = 2000;
const REFUSALS = new Set(['encoding', 'format', 'syntax', 'order', 'empty', 'tooManyCues', 'pastEnd']);

/**
 * CAP-8: the captions of one recording, for a role with the `captions` right, beside its player.
 * A list of cues (start, end, text): each time typed or taken from the player's position, cues
 * added (at the position), changed and removed, saved as WebVTT with PUT; or a `.vtt` / `.srt`
 * file put as it is. Keyboard only works throughout; each control's name starts with its visible
 * words and says which cue it acts on (WCAG 2.5.3). The server checks everything again (CAP-2);
 * its refusals are said from their code and parameters.
 */
export function CaptionsEditor({ recording, date, token, playhead, stored, onChanged }: Props) {
  const { t, i18n } = useTranslation('sharing');
  const [rows, setRows] = useState<Row[]>([]);
  const [dirty, setDirty] = useState(false);
  const [status, setStatus] = useState<Status>({ kind: 'idle' });
  const nextKey = useRef(1);
  const focusKey = useRef<number | null>(null);
  const texts = useRef(new Map<number, HTMLTextAreaElement>());
  const addButton = useRef<HTMLButtonElement>(null);
  const fileInput = useRef<HTMLInputElement>(null);
  const titleId = `captions-title-${recording.id}`;
  const hintId = `captions-hint-${recording.id}`;

  const row = (cue: CaptionCue): Row => ({ key: nextKey.current++, start: formatCaptionTime(cue.startMs), end: formatCaptionTime(cue.endMs), text: cue.text });
  // What is stored, once the player has read it, unless the agent is editing.
  useEffect(() => {
    if (stored && !dirty) setRows(stored.map(row));
  }, [stored]);
  // A new cue's text takes the focus (typed next, from the keyboard).
  useEffect(() => {
    if (focusKey.current === null) return;
    texts.current.get(focusKey.current)?.focus();
    focusKey.current = null;
  });

  const at = (ms: number) => Math.min(Math.max(0, Math.round(ms)), recording.durationMs);
  const edit = (key: number, change: Partial<Row>) => {
    setDirty(true);
    setRows((all) => all.map((r) => (r.key === key ? { ...r, ...change } : r)));
  };
  const add = () => {
    const start = at(playhead());
    const key = nextKey.current++;
    setDirty(true);
    setRows((all) => [...all, { key, start: formatCaptionTime(start), end: formatCaptionTime(at(start + DEFAULT_CUE_MS)), text: '' }]);
    focusKey.current = key;
  };
  const remove = (key: number) => {
    setDirty(true);
    setRows((all) => all.filter((r) => r.key !== key));
    addButton.current?.focus();
  };
  const fail = (message: string, code = 'local') => setStatus({ kind: 'error', code, message });
  const refused = (caught: unknown) => {
    const error = ClientError.from(caught, 'UNAVAILABLE').toPayload();
    fail(describeCaptionsError(t, error, i18n.language), error.code);
  };

  /** The rows as cues, checked as the server will (times, order of start and end, text): a sentence for the first problem. */
  const cuesOrProblem = (): CaptionCue[] | string => {
    const cues: CaptionCue[] = [];
    for (const [i, r] of rows.entries()) {
      const n = i + 1;
      const startMs = parseCaptionTime(r.start);
      if (startMs === null) return t('captions.badStart', { n });
      const endMs = parseCaptionTime(r.end);
      if (endMs === null) return t('captions.badEnd', { n });
      if (endMs <= startMs) return t('captions.endBeforeStart', { n });
      if (endMs > recording.durationMs) return t('captions.afterEnd', { n, duration: formatDuration(recording.durationMs, i18n.language) });
      if (!r.text.trim()) return t('captions.emptyText', { n });
      cues.push({ startMs, endMs, text: r.text });
    }
    if (cues.length === 0) return t('captions.noCue');
    return cues.sort((a, b) => a.startMs - b.startMs);
  };

  const put = async (data: Blob | string, format: 'vtt' | 'srt') => {
    setStatus({ kind: 'busy' });
    try {
      const saved = await putCaptions(recording.id, token, data, format);
      setDirty(false);
      setStatus({ kind: 'saved', cues: saved.cues });
      onChanged();
    } catch (caught) {
      refused(caught);
    }
  };
  const save = () => {
    if (status.kind === 'busy') return;
    const cues = cuesOrProblem();
    if (typeof cues === 'string') return fail(cues);
    void put(serializeVtt(cues), 'vtt');
  };
  const upload = (file: File | undefined) => {
    if (!file || status.kind === 'busy') return;
    void put(file, captionsFormatOf(file.name)).finally(() => {
      if (fileInput.current) fileInput.current.value = '';
    });
  };
  const removeAll = async () => {
    if (status.kind === 'busy') return;
    setStatus({ kind: 'busy' });
    try {
      await deleteCaptions(recording.id, token);
      setRows([]);
      setDirty(false);
      setStatus({ kind: 'deleted' });
      onChanged();
    } catch (caught) {
      refused(caught);
    }
  };

  return (
    <section className="captions-editor" data-testid="captions-editor" aria-labelledby={titleId}>
      <h4 id={titleId}>{t('captions.editor', { date })}</h4>
      <p className="hint" id={hintId}>
        {t('captions.hint')}
      </p>
      {rows.length === 0 && <p data-testid="captions-none">{t('captions.none')}</p>}
      <ol className="caption-cues">
        {rows.map((r, i) => {
          const n = i + 1;
          return (
            <li key={r.key} data-testid="caption-cue">
              <fieldset>
                <legend>{t('captions.cue', { n })}</legend>
                <div className="caption-times">
                  <label>
                    {t('captions.start')}
                    <span className="sr-only"> {t('captions.ofCue', { n })}</span>
                    <input data-testid="caption-start" value={r.start} aria-describedby={hintId} inputMode="decimal" spellCheck={false} autoComplete="off" onChange={(e) => edit(r.key, { start: e.target.value })} />
                  </label>
                  <button type="button" className="small" data-testid="caption-start-now" onClick={() => edit(r.key, { start: formatCaptionTime(at(playhead())) })}>
                    {t('captions.now')}
                    <span className="sr-only"> {t('captions.nowForStart', { n })}</span>
                  </button>
                  <label>
                    {t('captions.end')}
                    <span className="sr-only"> {t('captions.ofCue', { n })}</span>
                    <input data-testid="caption-end" value={r.end} aria-describedby={hintId} inputMode="decimal" spellCheck={false} autoComplete="off" onChange={(e) => edit(r.key, { end: e.target.value })} />
                  </label>
                  <button type="button" className="small" data-testid="caption-end-now" onClick={() => edit(r.key, { end: formatCaptionTime(at(playhead())) })}>
                    {t('captions.now')}
                    <span className="sr-only"> {t('captions.nowForEnd', { n })}</span>
                  </button>
                </div>
                <label className="caption-text">
                  {t('captions.text')}
                  <span className="sr-only"> {t('captions.ofCue', { n })}</span>
                  <textarea
                    data-testid="caption-text"
                    rows={2}
                    value={r.text}
                    ref={(element) => {
                      if (element) texts.current.set(r.key, element);
                      else texts.current.delete(r.key);
                    }}
                    onChange={(e) => edit(r.key, { text: e.target.value })}
                  />
                </label>
                <button type="button" className="small" data-testid="caption-remove" onClick={() => remove(r.key)}>
                  {t('captions.remove')}
                  <span className="sr-only"> {t('captions.removeCue', { n })}</span>
                </button>
              </fieldset>
            </li>
          );
        })}
      </ol>
      <div className="recording-actions">
        <button type="button" className="small" data-testid="caption-add" ref={addButton} onClick={add}>
          {t('captions.add')}
        </button>
        <button type="button" className="small" data-testid="captions-save" onClick={save}>
          {t('captions.save')}
        </button>
        {recording.captionsUrl && (
          <button type="button" className="small" data-testid="captions-delete" onClick={() => void removeAll()}>
            {t('captions.deleteAll')}
          </button>
        )}
      </div>
      <label className="captions-file">
        {t('captions.file')}
        <input ref={fileInput} type="file" data-testid="captions-file" accept=".vtt,.srt,text/vtt,application/x-subrip" onChange={(e) => upload(e.target.files?.[0])} />
      </label>
      <p className="status" role="status" data-testid="captions-status">
        {status.kind === 'busy' && t('captions.saving')}
        {status.kind === 'saved' && t('captions.saved', { count: status.cues })}
        {status.kind === 'deleted' && t('captions.deleted')}
      </p>
      {status.kind === 'error' && (
        <p className="notice error" role="alert" data-testid="captions-error" data-code={status.code}>
          {status.message}
        </p>
      )}
    </section>
  );
}

/** A refusal of the captions API in the agent's words: CAP-2's reasons, the size limit, the media type; else as any error. */
export function describeCaptionsError(t: TFunction, error: ErrorPayload, language: string): string {
  const params = error.params ?? {};
  if (error.code === 'CAPTIONS_INVALID' && typeof params.reason === 'string' && REFUSALS.has(params.reason)) {
    const duration = typeof params.durationMs === 'number' ? formatDuration(params.durationMs, language) : '';
    return t(`sharing:captions.refused.${params.reason}`, { ...params, duration });
  }
  if (error.code === 'PAYLOAD_TOO_LARGE' && typeof params.maxBytes === 'number') return t('sharing:captions.tooLarge', { max: Math.floor(params.maxBytes / 1024) });
  if (error.code === 'UNSUPPORTED_MEDIA_TYPE') return t('sharing:captions.wrongType');
  return describeError(t, error);
}
