import * as assert from 'uvu/assert';
import type { Locator, Page } from 'playwright-core';
import { describeFindings, seriousViolations } from '../helpers/axe.js';
import { browserSuite, openPage, selfId, WAIT_MS } from '../helpers/browser.js';
import { exitAfterRun } from '../helpers/exitAfterRun.js';
import { admin } from '../helpers/moderationHelpers.js';
import { waitRecordingReady } from '../helpers/recordings.js';
import { sleep, waitFor } from '../helpers/waitFor.js';

/**
 * Captions in the browser (CAP-8 in docs/spec/sharing.md, RGAA 4.3 / WCAG 1.2.2), through the built
 * client with the real recorder: a host writes two cues in the editor beside the player with the
 * keyboard only, their times taken from the player's position; saves; after a reload the player has
 * `<track kind="captions" srclang="fr">` whose cues the browser loaded, and the editor shows them.
 * A file the server refuses is said in French from its code. axe-core finds nothing serious or
 * critical with the editor open.
 */
const cap = browserSuite('captions editor', {}, { recording: {} });

async function assertAccessible(page: Page, what: string): Promise<void> {
  const findings = await seriousViolations(page);
  assert.is(findings.length, 0, `${what}: serious or critical violations\n${describeFindings(findings)}`);
}

/** Moves the player (the browser's own controls, not the editor) to `seconds`, paused. */
async function seek(video: Locator, seconds: number): Promise<void> {
  await video.evaluate(
    (v: HTMLVideoElement, t: number) =>
      new Promise<void>((resolve) => {
        v.pause();
        v.addEventListener('seeked', () => resolve(), { once: true });
        v.currentTime = t;
      }),
    seconds,
  );
}

/** Keyboard only: the control gets the focus (as Tab would give it) and Enter activates it. */
async function press(control: Locator): Promise<void> {
  await control.focus();
  await control.page().keyboard.press('Enter');
}

async function openPlayer(page: Page, recordingId: string): Promise<{ item: Locator; video: Locator }> {
  await press(page.locator('[data-testid="toggle-recordings"]'));
  const item = page.locator(`[data-testid="recording-item"][data-recording-id="${recordingId}"]`);
  await item.waitFor();
  await press(item.locator('[data-testid="recording-play"]'));
  const video = item.locator('video[data-testid="recording-video"]');
  await video.waitFor();
  await waitFor('the video has its metadata', () => video.evaluate((v: HTMLVideoElement) => v.readyState >= 1 && v.duration > 0), WAIT_MS, 200);
  return { item, video };
}

cap('CAP-8: a host writes two cues with the keyboard from the playhead, saves; after a reload the track has them; axe clean', async (ctx) => {
  const srv = ctx.srv!;
  const { id } = await srv.createRoom({ name: 'Conseil sous-titré', record: true });
  const logs: string[] = [];
  const hostUrl = async (name: string) => `${srv.url}/room/${id}?token=${encodeURIComponent(await srv.mintToken(id, name, 'host'))}&autojoin=1`;

  const host = await openPage(ctx.browser!, ctx.contexts, await hostUrl('Hôte'), logs, { locale: 'fr-FR' });
  await selfId(host);
  await host.locator('[data-testid="recording-indicator"]').waitFor();
  await sleep(3500); // a few seconds of the browser's media
  assert.is((await admin(srv, 'PATCH', `/api/rooms/${id}`, { record: false })).status, 200);
  const ready = await waitRecordingReady(srv, id, 120_000);
  const seconds = ready.durationMs / 1000;
  assert.ok(seconds > 2.5, `a recording of some seconds: ${ready.durationMs} ms`);

  const { item, video } = await openPlayer(host, ready.id);
  const editor = item.locator('[data-testid="captions-editor"]');
  await editor.waitFor();
  await editor.locator('[data-testid="captions-none"]').waitFor();
  assert.is(await video.locator('track').count(), 0, 'no captions yet: no track');

  // Cue 1: added at 0.5 s (its text takes the focus), ended at 1.5 s from the playhead.
  await seek(video, 0.5);
  await press(editor.getByRole('button', { name: 'Ajouter un sous-titre' }));
  const text1 = editor.getByRole('textbox', { name: 'Texte du sous-titre 1' });
  await waitFor('the new cue has the focus', () => text1.evaluate((el) => el === document.activeElement));
  await host.keyboard.type('Bonjour à toutes et à tous');
  await seek(video, 1.5);
  await press(editor.getByRole('button', { name: 'Position actuelle comme fin du sous-titre 1' }));
  // Cue 2: from 2 s to near the end of what was recorded (the file's length and durationMs differ a little).
  const playable = await video.evaluate((v: HTMLVideoElement) => v.duration);
  const end2 = Math.round(Math.min(3, seconds - 0.2, playable - 0.2) * 1000) / 1000;
  assert.ok(end2 > 2.1, `room for a second cue: ${end2} s`);
  await seek(video, 2);
  await press(editor.getByRole('button', { name: 'Ajouter un sous-titre' }));
  const text2 = editor.getByRole('textbox', { name: 'Texte du sous-titre 2' });
  await waitFor('the second cue has the focus', () => text2.evaluate((el) => el === document.activeElement));
  await host.keyboard.type('Questions & réponses');
  await seek(video, end2);
  await press(editor.getByRole('button', { name: 'Position actuelle comme fin du sous-titre 2' }));

  const values = async (testid: string) => editor.locator(`[data-testid="${testid}"]`).evaluateAll((els) => els.map((e) => (e as HTMLInputElement).value));
  assert.equal(await values('caption-start'), ['00:00:00.500', '00:00:02.000']);
  const end2Text = `00:00:0${Math.floor(end2)}.${String(Math.round((end2 % 1) * 1000)).padStart(3, '0')}`;
  assert.equal(await values('caption-end'), ['00:00:01.500', end2Text]);
  // WCAG 2.5.3: each control's accessible name starts with its visible words.
  assert.is(await editor.getByRole('textbox', { name: 'Début du sous-titre 2' }).inputValue(), '00:00:02.000');
  assert.is(await editor.getByRole('button', { name: 'Supprimer le sous-titre 1' }).count(), 1);
  await assertAccessible(host, 'the recordings panel with the captions editor open');

  // A mistake is said before anything is sent; then saved, still from the keyboard.
  await editor.getByRole('textbox', { name: 'Fin du sous-titre 1' }).fill('00:00:00.100');
  await press(editor.getByRole('button', { name: 'Enregistrer les sous-titres' }));
  const error = editor.locator('[data-testid="captions-error"]');
  assert.match((await error.textContent()) ?? '', /Le sous-titre 1 doit finir après son début/);
  await editor.getByRole('textbox', { name: 'Fin du sous-titre 1' }).fill('00:00:01.500');
  await press(editor.getByRole('button', { name: 'Enregistrer les sous-titres' }));
  await waitFor('saved', async () => /Sous-titres enregistrés : 2 sous-titres/.test((await editor.locator('[data-testid="captions-status"]').textContent()) ?? ''), WAIT_MS);
  assert.is(await error.count(), 0);
  assert.equal((await admin(srv, 'GET', `/api/recordings/${ready.id}`)).json.captions.cues, 2);
  // The player already has them (the list was asked again: a new captionsUrl).
  await waitFor('the track after the save', () => video.evaluate((v: HTMLVideoElement) => (v.textTracks[0]?.cues?.length ?? 0) === 2), WAIT_MS, 200);

  // A file the server refuses (cues out of order): said in French from its code and line.
  await editor.locator('[data-testid="captions-file"]').setInputFiles({
    name: 'desordre.srt',
    mimeType: 'application/x-subrip',
    buffer: Buffer.from('1\n00:00:01,000 --> 00:00:02,000\nB\n\n2\n00:00:00,100 --> 00:00:00,500\nA\n'),
  });
  await error.waitFor();
  assert.is(await error.getAttribute('data-code'), 'CAPTIONS_INVALID');
  assert.match((await error.textContent()) ?? '', /À la ligne 6, un sous-titre commence avant celui qui le précède/);
  await assertAccessible(host, 'the captions editor with a refusal');

  // Reloaded (a new page, as after a reload: the token has left the address bar): the track is there with its cues.
  const again = await openPage(ctx.browser!, ctx.contexts, await hostUrl('Hôte revenu'), logs, { locale: 'fr-FR' });
  await selfId(again);
  const reopened = await openPlayer(again, ready.id);
  const track = reopened.video.locator('track');
  assert.equal(await track.evaluate((t: HTMLTrackElement) => [t.kind, t.srclang, t.label, t.default]), ['captions', 'fr', 'Français', true]);
  const cues = await waitFor(
    'the captions loaded',
    () =>
      reopened.video.evaluate((v: HTMLVideoElement) => {
        const tt = v.textTracks[0]!;
        if (tt.mode === 'disabled') tt.mode = 'showing';
        const list = tt.cues;
        return list && list.length > 0 ? Array.from(list, (c) => [c.startTime, c.endTime, (c as VTTCue).text]) : null;
      }),
    WAIT_MS,
    200,
  );
  assert.equal(cues, [
    [0.5, 1.5, 'Bonjour à toutes et à tous'],
    [2, Math.round(end2 * 1000) / 1000, 'Questions &amp; réponses'],
  ]);
  // The editor shows what is stored; the download offers the .vtt beside the MP4.
  const reEditor = reopened.item.locator('[data-testid="captions-editor"]');
  await waitFor('the editor has the stored cues', async () => (await reEditor.locator('[data-testid="caption-text"]').count()) === 2, WAIT_MS);
  assert.equal(await reEditor.locator('[data-testid="caption-text"]').evaluateAll((els) => els.map((e) => (e as HTMLTextAreaElement).value)), [
    'Bonjour à toutes et à tous',
    'Questions & réponses',
  ]);
  const vttLink = reopened.item.locator('[data-testid="recording-captions-download"]');
  assert.match((await vttLink.getAttribute('href')) ?? '', new RegExp(`^/api/recordings/${ready.id}/captions\\.vtt\\?access=`));
  const downloaded = await vttLink.evaluate(async (a: HTMLAnchorElement) => (await fetch(a.href)).text());
  assert.match(downloaded, /^WEBVTT\n\n00:00:00\.500 --> 00:00:01\.500\nBonjour à toutes et à tous\n/);
  assert.is(await reopened.item.locator('[data-testid="recording-download"]').count(), 1, 'and the MP4');
  await assertAccessible(again, 'the player with its captions and the editor');
});

exitAfterRun(cap);
