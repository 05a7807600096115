/** A picked file larger than this is refused before it is read. */
export const MAX_IMAGE_FILE_BYTES = 10 * 1024 * 1024;
/** The agent's image is scaled down to fit in this (the camera's largest usual size). */
export const MAX_IMAGE_WIDTH = 1280;
export const MAX_IMAGE_HEIGHT = 720;

export type BackgroundImageFileError = 'tooLarge' | 'notImage' | 'unreadable';

/**
 * The agent's own background image, read in the browser only: refused above 10 MB or when it is
 * not an image, scaled down to fit in 1280×720 and re-encoded as JPEG (a data URL of a few
 * hundred kB, kept in localStorage by BackgroundPreferences).
 */
export async function readBackgroundImage(file: File): Promise<{ dataUrl: string } | { error: BackgroundImageFileError }> {
  if (file.size > MAX_IMAGE_FILE_BYTES) return { error: 'tooLarge' };
  if (!file.type.startsWith('image/')) return { error: 'notImage' };
  let bitmap: ImageBitmap;
  try {
    bitmap = await createImageBitmap(file);
  } catch {
    return { error: 'unreadable' };
  }
  const scale = Math.min(1, MAX_IMAGE_WIDTH / bitmap.width, MAX_IMAGE_HEIGHT / bitmap.height);
  const canvas = document.createElement('canvas');
  canvas.width = Math.max(1, Math.round(bitmap.width * scale));
  canvas.height = Math.max(1, Math.round(bitmap.height * scale));
  canvas.getContext('2d')!.drawImage(bitmap, 0, 0, canvas.width, canvas.height);
  bitmap.close();
  return { dataUrl: canvas.toDataURL('image/jpeg', 0.85) };
}
