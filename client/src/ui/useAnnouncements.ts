import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { ChatMessage } from '@nomades/shared';
import type { ModerationSnapshot } from '../media/ModerationClient';
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

export function useAnnouncements(room: RoomSnapshot, mod: ModerationSnapshot, chat: ChatView): Announcement[] {
  const { t } = useTranslation('a11y');
  const [list, setList] = useState<Announcement[]>([]);
  const seen = useRef<Seen>({ peers: null, hands: new Set(), lobby: new Set(), chat: null, phase: room.phase });
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

    if (said.length === 0) return;
    setList((old) => [...old, ...said.map((text) => ({ id: next.current++, text }))].slice(-KEEP));
  }, [room, mod, chat.messages, chat.synced, chat.selfId, t]);

  return list;
}
