import { useTranslation } from 'react-i18next';
import { useMicLevel } from './useMicLevel';

/** A meter of the microphone's loudness, so that a person sees that they are heard. */
export function MicLevel({ track }: { track: MediaStreamTrack | null }) {
  const { t } = useTranslation('devices');
  const level = useMicLevel(track);
  return (
    <div className="mic-level">
      <span className="mic-level-label" id="mic-level-label">
        {t('micLevel')}
      </span>
      <div
        className="mic-level-bar"
        data-testid="mic-level"
        role="meter"
        aria-labelledby="mic-level-label"
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={level}
        aria-valuetext={track ? t('micLevelValue', { level }) : t('micLevelNone')}
      >
        <div className="mic-level-fill" style={{ width: `${level}%` }} />
      </div>
    </div>
  );
}
