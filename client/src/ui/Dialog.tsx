import { useEffect, useRef, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { CloseIcon } from './icons';
import './a11y.css';

interface Props {
  open: boolean;
  onClose: () => void;
  title: string;
  testId: string;
  children: ReactNode;
}

/**
 * A modal dialog on the native `<dialog>`: the browser keeps the focus inside, Escape closes it,
 * and the focus goes back where it was (WCAG 2.4.3). Escape's `cancel` comes at once, its `close` a
 * task later: both tell the owner, who closes only this dialog.
 */
export function Dialog({ open, onClose, title, testId, children }: Props) {
  const { t } = useTranslation('a11y');
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (open && !dialog.open) {
      const before = document.activeElement as HTMLElement | null;
      dialog.showModal();
      return () => {
        dialog.close();
        before?.focus?.();
      };
    }
    return undefined;
  }, [open]);
  return (
    <dialog ref={ref} className="dialog" data-testid={testId} aria-labelledby={`${testId}-title`} onClose={onClose} onCancel={onClose}>
      <div className="dialog-bar">
        <h2 id={`${testId}-title`}>{title}</h2>
        <button type="button" className="icon-button" aria-label={t('close')} onClick={onClose}>
          <CloseIcon />
        </button>
      </div>
      {open && children}
    </dialog>
  );
}
