import { useEffect, useRef, useState, type KeyboardEvent } from 'react';
import { COLLAB_LIMITS, chatMessageSchema, errorPayloadSchema, type ChatMessage, type ErrorPayload } from '@nomades/shared';
import { useTranslation } from 'react-i18next';
import type { CollabClient, CollabSnapshot } from '../collab/CollabClient';
import { describeError } from './errorMessages';


/** Only records that pass the strict schema are shown (COL-13): a forged or damaged one is skipped. */
const readable = (messages: readonly unknown[]): ChatMessage[] =>
  messages.flatMap((m) => {
    const parsed = chatMessageSchema.safeParse(m);
    return parsed.success ? [parsed.data] : [];
  });

/** The room's chat: its whole history, new messages live, Enter sends (Shift+Enter: new line). */
export function ChatPanel({ collab, snapshot, selfId }: { collab: CollabClient; snapshot: CollabSnapshot; selfId: string }) {
  const { t, i18n } = useTranslation();
  const timeFormat = new Intl.DateTimeFormat(i18n.language, { hour: '2-digit', minute: '2-digit' });
  const [draft, setDraft] = useState('');
  const [error, setError] = useState<ErrorPayload | null>(null);
  const list = useRef<HTMLOListElement>(null);
  const messages = readable(snapshot.messages);

  useEffect(() => {
    const el = list.current;
    if (el) el.scrollTop = el.scrollHeight;
  }, [snapshot.messages.length]);

  const send = (): void => {
    const text = draft.trim();
    if (!text) return;
    setDraft('');
    setError(null);
    collab.sendChat(text).catch((e: unknown) => {
      setDraft((d) => d || text);
      const parsed = errorPayloadSchema.safeParse(e);
      setError(parsed.success ? parsed.data : { code: 'INTERNAL', message: String(e) });
    });
  };
  const onKeyDown = (e: KeyboardEvent<HTMLTextAreaElement>): void => {
    if (e.key === 'Enter' && !e.shiftKey && !e.nativeEvent.isComposing) {
      e.preventDefault();
      send();
    }
  };

  return (
    <section className="chat-panel" data-testid="chat-panel" aria-label={t('chat.label')}>
      <div className="panel-bar">
        <strong>{t('chat.label')}</strong>
        {snapshot.status !== 'synced' && (
          <span className="hint">{snapshot.status === 'refused' ? describeError(t, { code: snapshot.problem ?? 'FORBIDDEN' }) : t('chat.connecting')}</span>
        )}
      </div>
      <ol className="chat-messages" ref={list} aria-live="polite">
        {messages.map((m, i) => (
          <li key={`${i}:${m.id}`} data-testid="chat-message" className={m.authorId === selfId ? 'chat-message own' : 'chat-message'}>
            <div className="chat-meta">
              <span className="chat-author">{m.authorName}</span>
              <time dateTime={new Date(m.time).toISOString()}>{timeFormat.format(m.time)}</time>
            </div>
            <p className="chat-text">{m.text}</p>
          </li>
        ))}
        {messages.length === 0 && <li className="hint">{t('chat.empty')}</li>}
      </ol>
      {error && (
        <p className="hint chat-error" role="alert">
          {t('chat.notSent')} {describeError(t, error)}
        </p>
      )}
      <textarea
        data-testid="chat-input"
        className="chat-input"
        rows={2}
        maxLength={COLLAB_LIMITS.maxChatMessageLength}
        placeholder={t('chat.placeholder')}
        aria-label={t('chat.inputLabel')}
        value={draft}
        disabled={snapshot.status === 'refused'}
        onChange={(e) => setDraft(e.target.value)}
        onKeyDown={onKeyDown}
      />
    </section>
  );
}
