import { useRef, type KeyboardEvent, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { CloseIcon } from './icons';
import type { SidePanelId } from './useSidePanels';

export interface SideTab {
  id: SidePanelId;
  label: string;
  icon: ReactNode;
  content: ReactNode;
}

interface Props {
  /** The open panels, one tab each. */
  tabs: readonly SideTab[];
  active: SidePanelId;
  onSelect: (id: SidePanelId) => void;
  onClose: (id: SidePanelId) => void;
}

/**
 * One column for every side panel (participants, chat, …): a tab per open panel (WAI-ARIA tabs:
 * arrow keys move between tabs, Home/End to the ends) and the selected one's content. The others
 * stay mounted, hidden, so that a chat draft or a scroll position survives a switch. On a narrow
 * screen the column is a sheet under the stage (styles.css).
 */
export function SideColumn({ tabs, active, onSelect, onClose }: Props) {
  const { t } = useTranslation('stage');
  const list = useRef<HTMLDivElement>(null);
  const current = tabs.find((tab) => tab.id === active) ?? tabs[0];
  if (!current) return null;

  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>): void => {
    const index = tabs.findIndex((tab) => tab.id === current.id);
    const next =
      e.key === 'ArrowRight' ? (index + 1) % tabs.length
      : e.key === 'ArrowLeft' ? (index - 1 + tabs.length) % tabs.length
      : e.key === 'Home' ? 0
      : e.key === 'End' ? tabs.length - 1
      : -1;
    if (next < 0) return;
    e.preventDefault();
    onSelect(tabs[next]!.id);
    list.current?.querySelector<HTMLElement>(`#side-tab-${tabs[next]!.id}`)?.focus();
  };

  return (
    <div className="side-column" data-testid="side-column">
      <div className="side-tabs">
        <div role="tablist" aria-label={t('sidePanels')} ref={list} onKeyDown={onKeyDown}>
          {tabs.map((tab) => (
            <button
              key={tab.id}
              type="button"
              role="tab"
              id={`side-tab-${tab.id}`}
              className="side-tab"
              data-testid={`tab-${tab.id}`}
              aria-selected={tab.id === current.id}
              aria-controls={`side-panel-${tab.id}`}
              tabIndex={tab.id === current.id ? 0 : -1}
              title={tab.label}
              onClick={() => onSelect(tab.id)}
            >
              {tab.icon}
              <span>{tab.label}</span>
            </button>
          ))}
        </div>
        <button
          type="button"
          className="side-close"
          data-testid="close-side-panel"
          aria-label={t('closePanel', { panel: current.label })}
          title={t('closePanel', { panel: current.label })}
          onClick={() => onClose(current.id)}
        >
          <CloseIcon />
        </button>
      </div>
      <div className="side-body">
        {tabs.map((tab) => (
          <div key={tab.id} role="tabpanel" id={`side-panel-${tab.id}`} aria-labelledby={`side-tab-${tab.id}`} hidden={tab.id !== current.id}>
            {tab.content}
          </div>
        ))}
      </div>
    </div>
  );
}
