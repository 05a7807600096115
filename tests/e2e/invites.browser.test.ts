import type { Page } from 'playwright-core';
import * as assert from 'uvu/assert';
import { describeFindings, seriousViolations } from '../helpers/axe.js';
import { browserSuite, openPage, selfId, WAIT_MS } from '../helpers/browser.js';
import { exitAfterRun } from '../helpers/exitAfterRun.js';
import { admin } from '../helpers/moderationHelpers.js';
import { waitFor } from '../helpers/waitFor.js';

/**
 * Invitations in the browser (issue 14, INV-4/7 in docs/spec/sharing.md), through the built client:
 * a host copies the room's invitation from the meeting ([data-testid="copy-invite"], clipboard and
 * read-only field); three pages open that one link, each types a name, and all of them are in the
 * room together (participant tiles); once revoked, a fourth page is refused. The room's human name
 * shows, not its slug.
 */
const invites = browserSuite('invitations in the browser');

const tileNames = (page: Page) => page.locator('[data-testid="participant-tile"] [data-testid="participant-name"]').allTextContents();

invites('one invitation link, three pages, three names: all in the room together; revoked, a fourth is refused', async (ctx) => {
  const srv = ctx.srv!;
  const { id } = await srv.createRoom({ name: "Réunion d'équipe DASCO" });
  assert.is(id, 'reunion-d-equipe-dasco');
  const logs: string[] = [];

  // The host, with the clipboard allowed, copies the invitation from the meeting.
  const hostContext = await ctx.browser!.newContext({ permissions: ['camera', 'microphone', 'clipboard-read', 'clipboard-write'] });
  ctx.contexts.push(hostContext);
  const host = await hostContext.newPage();
  host.setDefaultTimeout(WAIT_MS);
  host.on('pageerror', (e) => logs.push(`[pageerror] ${e.message}`));
  await host.goto(`${srv.url}/room/${id}?token=${encodeURIComponent(await srv.mintToken(id, 'Hôte', 'host'))}&autojoin=1`);
  await selfId(host);
  assert.is(await host.locator('.room-header h1').textContent(), "Réunion d'équipe DASCO", 'the human name, not the id');
  await host.click('[data-testid="copy-invite"]');
  const field = host.locator('[data-testid="invite-url"]');
  await field.waitFor();
  const url = await field.inputValue();
  assert.ok(url.startsWith(`${srv.url}/room/${id}?invite=`), url);
  assert.is(await host.evaluate(() => navigator.clipboard.readText()), url, 'the link is in the clipboard');
  assert.ok(((await host.locator('[data-testid="copy-invite-status"]').textContent()) ?? '').length > 0, 'announced in the live region');
  const findings = await seriousViolations(host);
  assert.is(findings.length, 0, `the room with the invitation field: serious or critical violations\n${describeFindings(findings)}`);

  // Three colleagues open the same link and type their names.
  const names = ['Ada', 'Grace', 'Hedy'];
  const pages: Page[] = [];
  for (const name of names) {
    const page = await openPage(ctx.browser!, ctx.contexts, url, logs);
    await page.locator('[data-testid="display-name"]').waitFor();
    assert.not.match(page.url(), /invite=/, 'the invitation is taken out of the address bar');
    // The pre-join shows the address's slug until the room's public info (its human name) arrives.
    await waitFor('the pre-join shows the human name', async () => /Réunion d'équipe DASCO/.test((await page.locator('h1').textContent()) ?? ''), WAIT_MS);
    await page.fill('[data-testid="display-name"]', name);
    await page.click('[data-testid="join"]');
    pages.push(page);
  }
  const ids = await Promise.all(pages.map((p) => selfId(p)));
  assert.is(new Set(ids).size, 3, 'three participants');
  for (const [i, page] of pages.entries()) {
    await waitFor(`${names[i]} sees the three others`, async () => (await page.locator('[data-testid="participant-tile"]').count()) === 3, WAIT_MS, 200);
    assert.equal((await tileNames(page)).sort(), ['Hôte', ...names.filter((n) => n !== names[i])].sort(), `${names[i]}'s tiles`);
  }
  await waitFor('the host sees all three', async () => (await host.locator('[data-testid="participant-tile"]').count()) === 3, WAIT_MS, 200);
  assert.equal((await tileNames(host)).sort(), [...names].sort());

  // Revoked: the fourth is refused on the pre-join, with the code of INV-5.
  const list = await admin(srv, 'GET', `/api/rooms/${id}/invites`);
  const meeting = (list.json.invites as Array<{ id: string; kind: string; uses: number }>).find((i) => i.kind === 'meeting')!;
  assert.is(meeting.uses, 3);
  assert.is((await admin(srv, 'DELETE', `/api/rooms/${id}/invites/${meeting.id}`)).status, 204);
  const late = await openPage(ctx.browser!, ctx.contexts, url, logs);
  await late.fill('[data-testid="display-name"]', 'Katherine');
  await late.click('[data-testid="join"]');
  const error = late.locator('[data-testid="error"]');
  await error.waitFor({ timeout: WAIT_MS });
  assert.is(await error.getAttribute('data-code'), 'FORBIDDEN');
  assert.match((await error.textContent()) ?? '', /retiré|withdrawn/, 'in words: the invitation was withdrawn (FORBIDDEN_revoked)');
  assert.is(await late.locator('[data-testid="local-tile"]').count(), 0, 'not in the room');
  for (const page of [host, ...pages]) assert.is(await page.locator('[data-testid="participant-tile"]').count(), 3, 'nobody else came in');
});

invites('a participant copies the invitation only where the room allows it', async (ctx) => {
  const srv = ctx.srv!;
  const { id } = await srv.createRoom({ name: 'Sans invitation' });
  const { id: open } = await srv.createRoom({ name: 'Invitations ouvertes', participantsMayInvite: true });
  const logs: string[] = [];
  const page = (room: string, name: string) => srv.mintToken(room, name, 'participant').then((t) => openPage(ctx.browser!, ctx.contexts, `${srv.url}/room/${room}?token=${encodeURIComponent(t)}&autojoin=1`, logs));
  const closed = await page(id, 'Pat');
  await selfId(closed);
  assert.is(await closed.locator('[data-testid="copy-invite"]').count(), 0, 'no invitation button for a participant by default');
  const allowed = await page(open, 'Pam');
  await selfId(allowed);
  await allowed.click('[data-testid="copy-invite"]');
  assert.match(await allowed.locator('[data-testid="invite-url"]').inputValue(), new RegExp(`/room/${open}\\?invite=`));
});

exitAfterRun(invites);
