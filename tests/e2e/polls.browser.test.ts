import * as assert from 'uvu/assert';
import { describeFindings, seriousViolations } from '../helpers/axe.js';
import { browserSuite, openPage, WAIT_MS, type BrowserSuiteContext } from '../helpers/browser.js';
import { exitAfterRun } from '../helpers/exitAfterRun.js';

/**
 * POLL-n, QUESTION-n in the browser (docs/spec/polls.md), in French: a host creates a poll in the
 * "Sondages et questions" panel, a participant votes from the keyboard, the host sees the result
 * live; the participant asks a question, the host sees it and marks it answered; new polls and
 * questions reach the live region; axe-core finds nothing serious with the panel open on either
 * page. Real Chromium on the built client.
 */
const polls = browserSuite('polls');
type Ctx = BrowserSuiteContext;

polls('a host creates a poll, a participant votes with the keyboard, the host sees it live; questions; axe clean', async (ctx: Ctx) => {
  const srv = ctx.srv!;
  const logs: string[] = [];
  const { id } = await srv.createRoom({ name: 'Sondages' });
  const url = async (name: string, role: string) => `${srv.url}/room/${id}?token=${encodeURIComponent(await srv.mintToken(id, name, role))}&autojoin=1`;
  const host = await openPage(ctx.browser!, ctx.contexts, await url('Hélène', 'host'), logs, { locale: 'fr-FR' });
  const guest = await openPage(ctx.browser!, ctx.contexts, await url('Paul', 'participant'), logs, { locale: 'fr-FR' });
  for (const page of [host, guest]) {
    await page.click('[data-testid="toggle-polls"]');
    await page.locator('[data-testid="polls-panel"]').waitFor({ timeout: WAIT_MS });
  }
  assert.is(await guest.locator('[data-testid="poll-form"]').count(), 0, 'no poll form for a participant');
  assert.is(await host.locator('#side-tab-polls').textContent(), 'Sondages et questions');

  // The host creates a single-choice poll with three answers, opened at once.
  await host.getByLabel('Question', { exact: true }).fill('Quel jour pour le séminaire ?');
  await host.getByRole('textbox', { name: 'Réponse 1' }).fill('Lundi');
  await host.getByRole('textbox', { name: 'Réponse 2' }).fill('Mardi');
  await host.click('[data-testid="poll-add-option"]');
  await host.getByRole('textbox', { name: 'Réponse 3' }).fill('Jeudi');
  await host.click('[data-testid="poll-submit"]');
  await host.locator('[data-testid="polls-status"]', { hasText: 'Sondage créé' }).waitFor({ timeout: WAIT_MS });

  // The participant is told (live region), and votes with the keyboard: a radio group.
  await guest.locator('[data-testid="announcer"]', { hasText: 'Nouveau sondage : Quel jour pour le séminaire ?' }).waitFor({ timeout: WAIT_MS });
  const radios = guest.locator('[data-testid="poll-choice"]');
  await radios.first().waitFor({ timeout: WAIT_MS });
  assert.equal(await radios.evaluateAll((els) => els.map((e) => (e as HTMLInputElement).type)), ['radio', 'radio', 'radio']);
  assert.is(await guest.locator('fieldset.poll-ballot legend').textContent(), 'Quel jour pour le séminaire ?');
  await radios.first().focus();
  await guest.keyboard.press('ArrowDown'); // Mardi
  await guest.keyboard.press('Tab');
  await guest.keyboard.press('Enter');
  await guest.locator('[data-testid="polls-status"]', { hasText: 'Votre vote est enregistré' }).waitFor({ timeout: WAIT_MS });

  // The host sees the result live: one vote for Mardi.
  const results = host.locator('[data-testid="poll-result"]');
  await host.locator('[data-testid="poll-result"][data-count="1"]', { hasText: 'Mardi' }).waitFor({ timeout: WAIT_MS });
  assert.equal(await results.evaluateAll((els) => els.map((e) => e.getAttribute('data-count'))), ['0', '1', '0']);
  assert.match((await host.locator('[data-testid="poll-voters"]').textContent()) ?? '', '1 votant');
  // The participant sees the public results, its choice among them.
  await guest.locator('[data-testid="poll-result"][data-count="1"].mine', { hasText: 'Mardi' }).waitFor({ timeout: WAIT_MS });

  // A question: asked by the participant, announced to the host, marked answered.
  await guest.getByLabel('Votre question').fill('Le séminaire sera-t-il enregistré ?');
  await guest.click('[data-testid="question-submit"]');
  await host.locator('[data-testid="announcer"]', { hasText: 'Question de Paul : Le séminaire sera-t-il enregistré ?' }).waitFor({ timeout: WAIT_MS });
  await host.click('[data-testid="question"] [data-testid="question-answered"]');
  await guest.locator('[data-testid="question"][data-status="answered"]').waitFor({ timeout: WAIT_MS });

  // axe-core with the panel open, on both sides.
  for (const page of [host, guest]) {
    const findings = await seriousViolations(page);
    assert.equal(findings, [], describeFindings(findings));
  }
  // Closing the poll announces it.
  await host.click('[data-testid="poll-close"]');
  await guest.locator('[data-testid="announcer"]', { hasText: 'Sondage terminé' }).waitFor({ timeout: WAIT_MS });
  await guest.locator('[data-testid="poll"][data-status="closed"]').waitFor({ timeout: WAIT_MS });
});

exitAfterRun(polls);
