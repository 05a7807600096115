import { LIMITS, slugifyRoomName } from '@nomades/shared';

/** OWN-1: "Réunion de Camille Martin du 7 décembre", or "Café de …" for a coffee (the day in Paris time). */
export function readableRoomName(agentName: string, now = new Date(), mode: 'meeting' | 'coffee' = 'meeting'): string {
  const day = new Intl.DateTimeFormat('fr-FR', { day: 'numeric', month: 'long', timeZone: 'Europe/Paris' }).format(now);
  return `${mode === 'coffee' ? 'Café' : 'Réunion'} de ${agentName} du ${day}`.slice(0, LIMITS.maxRoomNameLength);
}

/**
 * OWN-1: the candidates for a new room, in order: the slug of its name, then suffixed ("-2", "-3"…
 * and the name " (2)"…) when taken; the id always fits LIMITS.maxIdLength.
 */
export function* roomCandidates(name: string, tries: number): Generator<{ id: string; name: string }> {
  const base = slugifyRoomName(name) || 'reunion';
  for (let n = 1; n <= tries; n++) {
    if (n === 1) {
      yield { id: base, name: name.slice(0, LIMITS.maxRoomNameLength) };
      continue;
    }
    const suffix = `-${n}`;
    const id = `${base.slice(0, LIMITS.maxIdLength - suffix.length).replace(/-+$/, '')}${suffix}`;
    const label = ` (${n})`;
    yield { id, name: `${name.slice(0, LIMITS.maxRoomNameLength - label.length)}${label}` };
  }
}
