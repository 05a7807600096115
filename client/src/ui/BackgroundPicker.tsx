import { useId, useState, useSyncExternalStore, type ChangeEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { BACKGROUND_CHOICES, imageOf, type BackgroundChoice } from '../media/effects/BackgroundChoice';
import { backgroundImageUrl } from '../media/effects/BackgroundImages';
import { readBackgroundImage } from '../media/effects/BackgroundImageFile';
import { backgroundPreferences } from '../media/effects/BackgroundPreferences';
import { backgroundUnavailable, missingBackgroundCapabilities } from '../media/effects/BackgroundSupport';
import './background.css';

/**
 * The camera's background: none, two blurs, the shipped images or the agent's own (a radio
 * group; the choice applies at once to the preview or the sent camera, and is remembered).
 * When the service or the browser cannot offer it, says why instead (naming what the browser lacks).
 */
export function BackgroundPicker() {
  const { t } = useTranslation('background');
  const name = useId();
  const prefs = useSyncExternalStore(backgroundPreferences.subscribe, backgroundPreferences.getSnapshot);
  const [fileProblem, setFileProblem] = useState<string | null>(null);
  const unavailable = backgroundUnavailable();
  const missing = missingBackgroundCapabilities();

  const pickFile = async (event: ChangeEvent<HTMLInputElement>): Promise<void> => {
    const file = event.target.files?.[0];
    event.target.value = '';
    if (!file) return;
    const read = await readBackgroundImage(file);
    if ('error' in read) return setFileProblem(t(read.error === 'tooLarge' ? 'fileTooLarge' : read.error === 'notImage' ? 'fileNotImage' : 'fileUnreadable'));
    setFileProblem(backgroundPreferences.setCustomImage(read.dataUrl) ? null : t('fileNotKept'));
  };

  const notice = prefs.notice;
  return (
    <fieldset className="background-picker" data-testid="background-picker" data-choice={prefs.choice}>
      <legend>{t('legend')}</legend>
      {unavailable ? (
        <p data-testid="background-unavailable" data-reason={unavailable} data-missing={missing.join(' ') || undefined}>
          {t(unavailable, { missing: missing.map((c) => t(`capability.${c}`)).join(', ') })}
        </p>
      ) : (
        <>
          <div className="background-options">
            {BACKGROUND_CHOICES.map((choice) => (
              <Option key={choice} name={name} choice={choice} checked={prefs.choice === choice} customImage={prefs.customImage} label={t(choice)} />
            ))}
          </div>
          <label className="background-file">
            <span>{t('pickImage')}</span>
            <input type="file" accept="image/*" data-testid="background-file" onChange={(event) => void pickFile(event)} />
          </label>
          <p className="background-privacy">{t('privacy')}</p>
        </>
      )}
      <div role="status" data-testid="background-notice">
        {fileProblem && <p>{fileProblem}</p>}
        {notice && (
          <p data-code={notice.code}>
            {notice.code === 'tooSlow' ? t('tooSlow', { fps: notice.figures.fps, target: notice.figures.targetFps, masks: notice.figures.segmentFps }) : t('failed')}
          </p>
        )}
      </div>
    </fieldset>
  );
}

interface OptionProps {
  name: string;
  choice: BackgroundChoice;
  checked: boolean;
  customImage: string | null;
  label: string;
}

function Option({ name, choice, checked, customImage, label }: OptionProps) {
  const image = backgroundImageUrl(imageOf(choice), customImage);
  const disabled = choice === 'image:custom' && !customImage;
  return (
    <label className={`background-option${checked ? ' checked' : ''}${disabled ? ' disabled' : ''}`}>
      <input
        type="radio"
        name={name}
        value={choice}
        checked={checked}
        disabled={disabled}
        data-testid={`background-${choice.replace(':', '-')}`}
        onChange={() => backgroundPreferences.setChoice(choice)}
      />
      <span className={`background-thumb background-thumb-${choice.replace(':', '-')}`} aria-hidden="true">
        {image && <img src={image} alt="" />}
      </span>
      <span className="background-label">{label}</span>
    </label>
  );
}
