import { useTranslation } from 'react-i18next';
import { chooseLocale } from '../i18n/i18n';
import { LOCALES, isLocale } from '../i18n/pickLocale';

/** The page's language, chosen from a list where each language is named in itself. */
export function LanguageSwitch() {
  const { t, i18n } = useTranslation();
  return (
    <label className="language-switch">
      <span className="sr-only">{t('language.label')}</span>
      <select
        data-testid="language"
        value={i18n.language}
        onChange={(event) => isLocale(event.target.value) && chooseLocale(event.target.value)}
      >
        {LOCALES.map((locale) => (
          <option key={locale} value={locale} lang={locale}>
            {t(`language.names.${locale}`)}
          </option>
        ))}
      </select>
    </label>
  );
}
