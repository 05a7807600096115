import { useTranslation } from 'react-i18next';
import type { Notice } from '../media/Notice';
import { describeError } from './errorMessages';

/**
 * A notice from the media layer in words: `notice.<code>` with its values, the source named in
 * the language ("votre caméra"), then the error behind it, if any.
 */
export function NoticeText({ notice }: { notice: Notice }) {
  const { t } = useTranslation();
  const params = notice.params ?? {};
  const source = typeof params.source === 'string' ? t(`source.${params.source}`, { defaultValue: params.source }) : undefined;
  const context = notice.code === 'mutedByHost' && params.locked === 'true' ? 'locked' : undefined;
  const main =
    notice.code === 'mutedByHost'
      ? t(`notice.mutedByHost.${params.source === 'camera' ? 'camera' : params.source === 'screen' ? 'screen' : 'microphone'}`, { context })
      : t(`notice.${notice.code}`, { ...params, source });
  return (
    <>
      {main}
      {notice.cause && <> {describeError(t, notice.cause)}</>}
    </>
  );
}
