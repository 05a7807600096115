import { LIMITS } from '../limits.js';

/** Letters NFD does not decompose, written the way French (and German, Nordic) readers expect. */
const LIGATURES: Readonly<Record<string, string>> = { œ: 'oe', æ: 'ae', ß: 'ss', ø: 'o', đ: 'd', ł: 'l', ð: 'd', þ: 'th' };

/**
 * NAME-1: the room id a human name gives (docs/spec/sharing.md): Unicode NFD, accents (combining
 * marks) removed, lower case, œ æ ß ø… spelt out (oe, ae, ss, o), every run of characters other
 * than a–z and 0–9 made one "-", no "-" at either end, cut to LIMITS.maxIdLength characters (and
 * a "-" the cut leaves at the end removed).
 * Pure and stable: the same name always gives the same id. "Réunion d'équipe DASCO" →
 * "reunion-d-equipe-dasco". A name with no letter or digit a–z/0–9 gives "" (the caller then
 * generates an id).
 */
export function slugifyRoomName(name: string): string {
  const slug = name
    .normalize('NFD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .replace(/[œæßøđłðþ]/g, (c) => LIGATURES[c] ?? c)
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  if (slug.length <= LIMITS.maxIdLength) return slug;
  return slug.slice(0, LIMITS.maxIdLength).replace(/-+$/, '');
}
