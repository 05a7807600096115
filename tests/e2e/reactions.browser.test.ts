import * as assert from 'uvu/assert';
import { REACTION_LIMITS } from '@nomades/shared';
import { browserSuite, openPage, selfId, WAIT_MS, type BrowserSuiteContext } from '../helpers/browser.js';
import { exitAfterRun } from '../helpers/exitAfterRun.js';
import { SigPeer } from '../helpers/moderationHelpers.js';
import { request } from '../helpers/signalingClient.js';
import { waitFor } from '../helpers/waitFor.js';

/**
 * RCT-1..3 in the browser: a reaction shows over its sender's tile (the others' and one's own)
 * as an image (no emoji font needed), goes after REACTION_LIMITS.displayMs, and past the
 * server's limit the picker says to slow down. Real Chromium on the built client, a
 * signaling-only participant on the other side.
 */
const reactions = browserSuite('reactions');
type Ctx = BrowserSuiteContext;
const sigs: SigPeer[] = [];
reactions.after.each(() => {
  for (const p of sigs.splice(0)) p.close();
});

reactions('a reaction appears over the sender\'s tile for everyone, as an SVG image, then goes; too many say "slow down"', async (ctx: Ctx) => {
  const srv = ctx.srv!;
  const logs: string[] = [];
  const { id } = await srv.createRoom({ name: 'Réactions' });
  const ada = await openPage(ctx.browser!, ctx.contexts, `${srv.url}/room/${id}?token=${encodeURIComponent(await srv.mintToken(id, 'Ada'))}&autojoin=1`, logs, { locale: 'fr-FR' });
  const adaId = await selfId(ada);
  const grace = await SigPeer.join(srv, id, 'Grace');
  sigs.push(grace);

  // Grace reacts: Ada sees it over Grace's tile.
  await request(grace.socket, 'react', { emoji: '🎉' });
  const overGrace = ada.locator(`[data-testid="participant-tile"][data-peer-id="${grace.peerId}"] [data-testid="reaction"][data-emoji="🎉"]`);
  await overGrace.waitFor({ timeout: WAIT_MS });
  const src = await overGrace.getAttribute('src');
  assert.ok(/^data:image\/svg\+xml|\.svg($|\?)/.test(src ?? ''), `drawn from an SVG (${src?.slice(0, 40)})`);
  assert.ok(await overGrace.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth > 0), 'the image loaded');

  // Ada reacts from the picker: over her own tile, and Grace is told.
  await ada.click('[data-testid="reactions-button"]');
  await ada.click('[data-testid="reaction-option"][data-emoji="👏"]');
  await ada.locator('[data-testid="local-tile"] [data-testid="reaction"][data-emoji="👏"]').waitFor({ timeout: WAIT_MS });
  await waitFor('Grace gets Ada\'s reaction', async () => grace.notes.some((n) => n.name === 'reaction' && (n.data as { peerId: string }).peerId === adaId), WAIT_MS);

  // It goes after displayMs.
  await overGrace.waitFor({ state: 'detached', timeout: REACTION_LIMITS.displayMs + WAIT_MS });

  // Past the burst the server refuses (RATE_LIMITED) and the picker says so, in French.
  for (let i = 0; i < REACTION_LIMITS.reactionBurst + 2; i++) await ada.click('[data-testid="reaction-option"][data-emoji="👍"]');
  await ada.locator('.reaction-options [role="status"]', { hasText: 'Trop de réactions' }).waitFor({ timeout: WAIT_MS });
});

exitAfterRun(reactions);
