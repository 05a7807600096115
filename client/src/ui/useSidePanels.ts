import { useCallback, useState } from 'react';

/** The panels of the side column (SideColumn.tsx); others (recordings, settings) add their id here. */
export type SidePanelId = 'participants' | 'chat' | 'polls' | 'recordings' | 'settings';

export interface SidePanels {
  /** Open panels, in the order they were opened (one tab each). */
  open: readonly SidePanelId[];
  /** The tab shown, null when the column is closed. */
  active: SidePanelId | null;
  /** Shown right now (open and selected). */
  isShown: (id: SidePanelId) => boolean;
  /**
   * What a control-bar button does: opens and shows a closed panel; shows an open one whose tab is
   * not selected; closes the one shown.
   */
  toggle: (id: SidePanelId) => void;
  select: (id: SidePanelId) => void;
  close: (id: SidePanelId) => void;
}

interface State {
  open: SidePanelId[];
  active: SidePanelId | null;
}

function closeIn(state: State, id: SidePanelId): State {
  const open = state.open.filter((p) => p !== id);
  const active = state.active === id ? (open.at(-1) ?? null) : state.active;
  return { open, active };
}

/** Which side panels are open and which one is shown: the side column holds one at a time. */
export function useSidePanels(initial: readonly SidePanelId[] = []): SidePanels {
  const [state, setState] = useState<State>(() => ({ open: [...initial], active: initial[0] ?? null }));
  const toggle = useCallback(
    (id: SidePanelId) =>
      setState((s) => {
        if (s.active === id) return closeIn(s, id);
        return { open: s.open.includes(id) ? s.open : [...s.open, id], active: id };
      }),
    [],
  );
  const select = useCallback((id: SidePanelId) => setState((s) => ({ open: s.open.includes(id) ? s.open : [...s.open, id], active: id })), []);
  const close = useCallback((id: SidePanelId) => setState((s) => closeIn(s, id)), []);
  return { open: state.open, active: state.active, isShown: (id) => state.active === id, toggle, select, close };
}
