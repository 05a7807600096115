import type { Page } from 'playwright-core';
import { sleep } from '../../../tests/helpers/waitFor.js';

/** A page in a call of two is steady: no reconnecting banner, one remote tile, and its frames advance (over 300 ms). */
export async function pageSteady(page: Page): Promise<boolean> {
  if ((await page.locator('[data-testid="reconnecting"]').count()) > 0) return false;
  if ((await page.locator('[data-testid="participant-tile"]').count()) !== 1) return false;
  const frames = () => page.evaluate<number>(`(() => { const v = document.querySelector('[data-testid="participant-tile"] video'); return v && v.videoWidth > 0 ? v.getVideoPlaybackQuality().totalVideoFrames : 0; })()`);
  const a = await frames();
  await sleep(300);
  return a > 0 && (await frames()) > a;
}
