import { useTranslation } from 'react-i18next';
import { Dialog } from './Dialog';

/** Leaving from the keyboard asks first: a stray key must not end someone's meeting. */
export function ConfirmLeave({ open, onClose, onLeave }: { open: boolean; onClose: () => void; onLeave: () => void }) {
  const { t } = useTranslation('a11y');
  return (
    <Dialog open={open} onClose={onClose} title={t('leave.title')} testId="confirm-leave">
      <div className="actions">
        <button type="button" className="danger" data-testid="confirm-leave-yes" onClick={onLeave}>
          {t('leave.yes')}
        </button>
        <button type="button" autoFocus onClick={onClose}>
          {t('leave.no')}
        </button>
      </div>
    </Dialog>
  );
}
