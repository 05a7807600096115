import { useTranslation } from 'react-i18next';
import { Dialog } from './Dialog';
import { SHORTCUTS } from './shortcuts';

interface Props {
  open: boolean;
  onClose: () => void;
  enabled: boolean;
  onEnabledChange: (on: boolean) => void;
}

/** The list of keyboard shortcuts, and the switch that turns them off (WCAG 2.1.4). */
export function ShortcutsHelp({ open, onClose, enabled, onEnabledChange }: Props) {
  const { t } = useTranslation('a11y');
  return (
    <Dialog open={open} onClose={onClose} title={t('shortcuts.title')} testId="shortcuts-help">
      <table className="shortcuts">
        <caption className="sr-only">{t('shortcuts.caption')}</caption>
        <thead>
          <tr>
            <th scope="col">{t('shortcuts.key')}</th>
            <th scope="col">{t('shortcuts.action')}</th>
          </tr>
        </thead>
        <tbody>
          {SHORTCUTS.map((s) => (
            <tr key={s.action} data-action={s.action}>
              <td>
                <kbd>{s.key.toUpperCase()}</kbd>
              </td>
              <td>{t(`shortcuts.actions.${s.action}`)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <label className="field checkbox">
        <input type="checkbox" data-testid="shortcuts-enabled" checked={enabled} onChange={(e) => onEnabledChange(e.target.checked)} />
        <span>{t('shortcuts.enabled')}</span>
      </label>
    </Dialog>
  );
}
