import type { ErrorPayload } from '@nomades/shared';
import { describeError } from './errorMessages';

/** An error code as a sentence, with the server's own words underneath. */
export function ErrorNotice({ error }: { error: ErrorPayload }) {
  const sentence = describeError(error.code);
  return (
    <div className="notice error" role="alert" data-testid="error" data-code={error.code}>
      <strong>{sentence}</strong>
      {error.message && error.message !== sentence && <small>{error.message}</small>}
    </div>
  );
}
