/** The languages the client speaks; French is the reference catalogue. */
export const LOCALES = ['fr', 'en'] as const;
export type Locale = (typeof LOCALES)[number];

export function isLocale(value: unknown): value is Locale {
  return typeof value === 'string' && (LOCALES as readonly string[]).includes(value);
}

/**
 * The language to speak: the one the user chose on this device, else the first of the browser's
 * preferred languages we speak ("fr-CA" → fr), else the server's DEFAULT_LOCALE, else French.
 */
export function pickLocale(chosen: string | null, preferred: readonly string[], serverDefault: string | null): Locale {
  if (isLocale(chosen)) return chosen;
  for (const tag of preferred) {
    const base = tag.toLowerCase().split('-')[0];
    if (isLocale(base)) return base;
  }
  return isLocale(serverDefault) ? serverDefault : 'fr';
}
