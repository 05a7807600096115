import meeting from './images/meeting.svg?url';
import office from './images/office.svg?url';
import plain from './images/plain.svg?url';
import type { BackgroundImageId } from './BackgroundChoice';

/** The images shipped with the client (drawn as SVG: a few kB each). */
const BUILT_IN: Record<Exclude<BackgroundImageId, 'custom'>, string> = { office, meeting, plain };

/** The URL of a background image: a shipped one, or the agent's own (a data URL), if any. */
export function backgroundImageUrl(id: BackgroundImageId | null, customImage: string | null): string | null {
  if (!id) return null;
  return id === 'custom' ? customImage : BUILT_IN[id];
}
