/// <reference types="vite/client" />
import i18next, { type Resource } from 'i18next';
import { initReactI18next } from 'react-i18next';
import { LOCALES, isLocale, pickLocale, type Locale } from './pickLocale';

/** Every `locales/<language>/<namespace>.json`, bundled: one namespace per feature. */
const files = import.meta.glob<{ default: Record<string, unknown> }>('./locales/*/*.json', { eager: true });
const resources: Resource = {};
for (const [file, module] of Object.entries(files)) {
  const [, language, namespace] = /\.\/locales\/([^/]+)\/([^/]+)\.json$/.exec(file)!;
  (resources[language!] ??= {})[namespace!] = module.default;
}

const STORAGE_KEY = 'nomades.locale';

function storedChoice(): string | null {
  try {
    return localStorage.getItem(STORAGE_KEY);
  } catch {
    return null;
  }
}

/** The server's DEFAULT_LOCALE, written into index.html (`<html data-default-locale>`). */
const serverDefault = document.documentElement.dataset.defaultLocale ?? null;

function followDocument(language: string): void {
  document.documentElement.lang = language;
}

void i18next.use(initReactI18next).init({
  resources,
  lng: pickLocale(storedChoice(), navigator.languages ?? [navigator.language], serverDefault),
  fallbackLng: 'fr',
  supportedLngs: [...LOCALES],
  defaultNS: 'common',
  ns: [...new Set(Object.values(resources).flatMap((r) => Object.keys(r)))],
  interpolation: { escapeValue: false }, // React escapes
  returnNull: false,
});
followDocument(i18next.language);
i18next.on('languageChanged', followDocument);

/** The user's choice of language on this device, kept for the next visits. */
export function chooseLocale(locale: Locale): void {
  try {
    localStorage.setItem(STORAGE_KEY, locale);
  } catch {
    // private mode: the choice lasts for this page
  }
  void i18next.changeLanguage(locale);
}

export function currentLocale(): Locale {
  return isLocale(i18next.language) ? i18next.language : 'fr';
}

export { i18next };
