import { Suspense, lazy, useEffect, useRef, useState, useSyncExternalStore } from 'react';
import { useTranslation } from 'react-i18next';
import { CollabClient, type CollabSnapshot } from '../collab/CollabClient';
import { ChatPanel } from './ChatPanel';
import { ErrorBoundary } from './ErrorBoundary';

/** tldraw weighs most of the bundle: loaded the first time the board is opened, not on join. */
const BoardPanel = lazy(() => import('./BoardPanel'));

const IDLE: CollabSnapshot = { status: 'connecting', problem: null, readOnly: true, messages: [] };
const noSubscribe = () => () => undefined;

export interface CollabPanels {
  collab: CollabClient | null;
  snapshot: CollabSnapshot;
  boardOpen: boolean;
  chatOpen: boolean;
  /** Messages from others received while the chat was hidden. */
  unread: number;
  toggleBoard: () => void;
  toggleChat: () => void;
}

/** Whether the chat is shown, when another owner decides it (the side column's tabs, useSidePanels). */
export interface ChatVisibility {
  shown: boolean;
  toggle: () => void;
}

/**
 * Owns the room's CollabClient while `enabled` (joined, not in a lobby), and whether the board is
 * open; the chat's visibility is `chat`'s when given (else kept here).
 */
export function useCollabPanels(node: string, roomId: string, token: string, enabled: boolean, chat?: ChatVisibility): CollabPanels {
  const [collab, setCollab] = useState<CollabClient | null>(null);
  const [boardOpen, setBoardOpen] = useState(false);
  const [ownChatOpen, setChatOpen] = useState(false);
  const chatOpen = chat ? chat.shown : ownChatOpen;
  const seen = useRef(0);

  useEffect(() => {
    if (!enabled) return;
    // NODE-2: the board is served by the node that hosts the meeting; it follows the room when it moves.
    const client = new CollabClient({ node, roomId, token });
    setCollab(client);
    return () => {
      client.close();
      setCollab(null);
    };
  }, [node, roomId, token, enabled]);

  const snapshot = useSyncExternalStore(collab?.subscribe ?? noSubscribe, collab?.getSnapshot ?? (() => IDLE));
  const selfId = collab?.user.id;
  const othersMessages = snapshot.messages.filter((m) => m.authorId !== selfId).length;
  useEffect(() => {
    if (chatOpen) seen.current = othersMessages;
  }, [chatOpen, othersMessages]);
  // History present on join counts as read: only what arrives afterwards is "unread".
  const historyRead = useRef(false);
  useEffect(() => {
    if (snapshot.status !== 'synced' || historyRead.current) return;
    historyRead.current = true;
    seen.current = othersMessages;
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [snapshot.status]);

  return {
    collab,
    snapshot,
    boardOpen,
    chatOpen,
    unread: chatOpen ? 0 : Math.max(0, othersMessages - seen.current),
    toggleBoard: () => setBoardOpen((o) => !o),
    toggleChat: chat ? chat.toggle : () => setChatOpen((o) => !o),
  };
}

/** The whiteboard, loaded on first use; in the main area of the stage when open (RoomView). */
export function CollabBoard({ panels }: { panels: CollabPanels }) {
  const { t } = useTranslation();
  if (!panels.collab || !panels.boardOpen) return null;
  return (
    <ErrorBoundary what="whiteboard">
      <Suspense fallback={<section className="board-panel hint">{t('board.loading')}</section>}>
        <BoardPanel collab={panels.collab} />
      </Suspense>
    </ErrorBoundary>
  );
}

/** The chat, in its tab of the side column. */
export function CollabChat({ panels }: { panels: CollabPanels }) {
  if (!panels.collab) return null;
  return (
    <ErrorBoundary what="chat">
      <ChatPanel collab={panels.collab} snapshot={panels.snapshot} selfId={panels.collab.user.id} />
    </ErrorBoundary>
  );
}
