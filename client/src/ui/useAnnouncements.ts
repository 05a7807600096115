import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { ChatMessage } from '@nomades/shared';
import type { ModerationSnapshot } from '../media/ModerationClient';
import type { PollSnapshot } from '../media/PollState';
import type { RoomSnapshot } from '../media/RoomClientTypes';

export interface Announcement {
  id: number;
  text: string;
}

const KEEP = 5;
const MAX_CHAT_CHARS = 140;

interface Seen {
  peers: Map<string, string> | null;
  hands: Set<string>;
  lobby: Set<string>;
  chat: number | null;
  phase: RoomSnapshot['phase'];
  /** Polls by id with their status, questions by id; null until the first state arrived. */
  polls: Map<string, string> | null;
  questions: Set<string> | null;
}

/**
 * UI-5: what changed in the meeting, as sentences for a screen reader's live region: who joined
 * or left, raised a hand, waits in the lobby (hosts), a new chat message from someone else, our
 * own admission from the lobby. What was already there when we arrived is not announced.
 */
export interface ChatView {
  messages: readonly ChatMessage[];
  synced: boolean;
  /** Our own author id in the chat (the collab identity). */
  selfId: string | undefined;
}

export function useAnnouncements(room: RoomSnapshot, mod: ModerationSnapshot, chat: ChatView, polls?: PollSnapshot): Announcement[] {
  const { t } = useTranslation('a11y');
  const [list, setList] = useState<Announcement[]>([]);
  const seen = useRef<Seen>({ peers: null, hands: new Set(), lobby: new Set(), chat: null, phase: room.phase, polls: null, questions: null });
  const next = useRef(0);

  useEffect(() => {
    const said: string[] = [];
    const s = seen.current;
    if (s.phase === 'lobby' && room.phase === 'joined') said.push(t('announce.admitted'));
    s.phase = room.phase;
    if (room.phase !== 'joined' && room.phase !== 'reconnecting') return;

    const peers = new Map(room.peers.map((p) => [p.id, p.displayName]));
    if (s.peers) {
      for (const [id, name] of peers) if (!s.peers.has(id)) said.push(t('announce.joined', { name }));
      for (const [id, name] of s.peers) if (!peers.has(id)) said.push(t('announce.left', { name }));
    }
    s.peers = peers;

    const hands = new Set(mod.controls.hands.map((h) => h.peerId));
    for (const h of mod.controls.hands) if (!s.hands.has(h.peerId) && h.peerId !== room.self?.peerId) said.push(t('announce.hand', { name: h.displayName }));
    s.hands = hands;

    const lobby = new Set(mod.controls.lobby.map((e) => e.id));
    for (const e of mod.controls.lobby) if (!s.lobby.has(e.id)) said.push(t('announce.lobby', { name: e.displayName }));
    s.lobby = lobby;

    if (chat.synced) {
      if (s.chat !== null) {
        for (const m of chat.messages.slice(s.chat)) {
          if (m.authorId === chat.selfId) continue;
          said.push(t('announce.chat', { name: m.authorName, text: m.text.length > MAX_CHAT_CHARS ? `${m.text.slice(0, MAX_CHAT_CHARS)}…` : m.text }));
        }
      }
      s.chat = chat.messages.length;
    }

    // POLL-13: a poll opened or ended, someone else's question (what was there at our join is not news).
    if (polls?.loaded) {
      if (s.polls && s.questions) {
        for (const p of polls.polls) {
          const before = s.polls.get(p.id);
          if (p.status === 'open' && before !== 'open') said.push(t('polls:announce.pollOpened', { question: p.question }));
          if (p.status === 'closed' && before === 'open') said.push(t('polls:announce.pollClosed', { question: p.question }));
        }
        for (const q of polls.questions) {
          if (!s.questions.has(q.id) && !q.mine) said.push(t('polls:announce.question', { name: q.authorName, text: q.text.length > MAX_CHAT_CHARS ? `${q.text.slice(0, MAX_CHAT_CHARS)}…` : q.text }));
        }
      }
      s.polls = new Map(polls.polls.map((p) => [p.id, p.status]));
      s.questions = new Set(polls.questions.map((q) => q.id));
    }

    if (said.length === 0) return;
    setList((old) => [...old, ...said.map((text) => ({ id: next.current++, text }))].slice(-KEEP));
  }, [room, mod, chat.messages, chat.synced, chat.selfId, polls, t]);

  return list;
}
