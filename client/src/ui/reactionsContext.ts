import { createContext, useContext, useSyncExternalStore } from 'react';
import type { ActiveReaction, ReactionState } from '../media/ReactionState';

/** The room's reactions, for the tiles that show them (provided by RoomView). */
export const ReactionsContext = createContext<ReactionState | null>(null);

const NONE: readonly ActiveReaction[] = [];
const noSubscribe = () => () => undefined;

/** The reactions being shown over `peerId`'s tile. */
export function useReactionsOf(peerId: string): readonly ActiveReaction[] {
  const state = useContext(ReactionsContext);
  const active = useSyncExternalStore(state?.subscribe ?? noSubscribe, () => state?.getSnapshot().active ?? NONE);
  return active.filter((r) => r.peerId === peerId);
}
