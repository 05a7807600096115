import { useId, useSyncExternalStore } from 'react';
import { useTranslation } from 'react-i18next';
import { noiseSuppression } from '../media/effects/NoiseSuppressionPreference';

/**
 * "Réduction du bruit": on by default, remembered in this browser; in the meeting it applies at
 * once without rejoining (LocalMedia follows the preference). Absent when the operator turned it
 * off for the service (NOISE_SUPPRESSION=off). `[data-testid="noise-suppression"]`.
 */
export function NoiseSuppressionToggle() {
  const { t } = useTranslation('devices');
  const id = useId();
  const state = useSyncExternalStore(noiseSuppression.subscribe, noiseSuppression.getSnapshot);
  if (!state.available) return null;
  return (
    <div className="field noise-suppression-field">
      <label htmlFor={id} className="noise-suppression-label">
        <input id={id} type="checkbox" data-testid="noise-suppression" checked={state.wanted} aria-describedby={`${id}-hint`} onChange={(event) => noiseSuppression.setWanted(event.target.checked)} />
        {t('noiseSuppression')}
      </label>
      <p id={`${id}-hint`} className="hint">
        {t('noiseSuppressionHint')}
      </p>
    </div>
  );
}
