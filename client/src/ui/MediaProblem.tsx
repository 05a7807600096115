import { useTranslation } from 'react-i18next';
import type { MediaErrorCode } from '../media/userMedia';

/** Why the camera or microphone cannot be used, and what to do about it, in plain words. */
export function MediaProblem({ code }: { code: MediaErrorCode }) {
  const { t } = useTranslation();
  return (
    <div className="hint media-problem" role="status" data-testid="media-problem" data-code={code}>
      <p>
        <strong>{t(`notice.${code}`)}</strong>
      </p>
      <p>{t(`mediaHelp.${code}`)}</p>
    </div>
  );
}
