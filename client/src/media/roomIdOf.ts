import { roomIdSchema, slugifyRoomName } from '@nomades/shared';

/**
 * The room an agent means by what they typed or followed: a valid id as it is ("point-hebdo",
 * "Team_3"), else the id its name gives (NAME-1: "Réunion d'équipe DASCO" →
 * "reunion-d-equipe-dasco"); null when neither gives one.
 */
export function roomIdOf(typed: string): string | null {
  const text = typed.trim();
  if (roomIdSchema.safeParse(text).success) return text;
  const slug = slugifyRoomName(text);
  return slug ? slug : null;
}
