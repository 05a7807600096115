import type { ErrorPayload } from '@nomades/shared';
import { useTranslation } from 'react-i18next';
import { describeError } from './errorMessages';

/** An error code as a sentence in the agent's language (the server's English stays in the console). */
export function ErrorNotice({ error }: { error: ErrorPayload }) {
  const { t } = useTranslation();
  return (
    <div className="notice error" role="alert" data-testid="error" data-code={error.code}>
      <strong>{describeError(t, error)}</strong>
    </div>
  );
}
