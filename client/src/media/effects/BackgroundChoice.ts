/** The images shipped with the client (images/<id>.svg), and the agent's own one. */
export const BACKGROUND_IMAGES = ['office', 'meeting', 'plain'] as const;
export type BackgroundImageId = (typeof BACKGROUND_IMAGES)[number] | 'custom';

/** What the camera shows behind the person: nothing changed, blurred, or an image. */
export const BACKGROUND_CHOICES = ['none', 'blur-light', 'blur-strong', 'image:office', 'image:meeting', 'image:plain', 'image:custom'] as const;
export type BackgroundChoice = (typeof BACKGROUND_CHOICES)[number];

export function isBackgroundChoice(value: unknown): value is BackgroundChoice {
  return typeof value === 'string' && (BACKGROUND_CHOICES as readonly string[]).includes(value);
}

/** Radius of the blur, in pixels of a 640-pixel-wide picture (scaled with the picture). */
export function blurRadius(choice: BackgroundChoice): number | null {
  return choice === 'blur-light' ? 6 : choice === 'blur-strong' ? 16 : null;
}

export function imageOf(choice: BackgroundChoice): BackgroundImageId | null {
  return choice.startsWith('image:') ? (choice.slice('image:'.length) as BackgroundImageId) : null;
}
