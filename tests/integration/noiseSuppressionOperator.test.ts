import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { startTestServer, type TestServer } from '../helpers/testServer.js';

/**
 * Issue 24, the operator's switches: NOISE_SUPPRESSION=off is written into every page of the web
 * client as `<html data-noise-suppression="off">` (read by the client: offeredByOperator, unit
 * test; what the client then does: tests/e2e/noiseSuppression.browser.test.ts); by default the
 * attribute is absent. BACKGROUND_EFFECTS is always written, as `data-background-effects="on"` or
 * `"off"` (read by BackgroundSupport; what the client does with "off":
 * tests/e2e/background.browser.test.ts). Served from a CLIENT_DIST holding the client's own index.html (its source:
 * the same <html> tag as the build's), so no build is needed.
 */
const dist = fs.mkdtempSync(path.join(os.tmpdir(), 'nomades-ns-dist-'));
fs.copyFileSync(path.resolve(import.meta.dirname, '../../client/index.html'), path.join(dist, 'index.html'));
const servers: TestServer[] = [];

test.after(async () => {
  await Promise.all(servers.map((s) => s.close()));
  fs.rmSync(dist, { recursive: true, force: true });
});

async function htmlTags(env: Record<string, string>): Promise<string[]> {
  const srv = await startTestServer({ CLIENT_DIST: dist, ...env });
  servers.push(srv);
  const { id } = await srv.createRoom({ name: 'Bruit' });
  const tags: string[] = [];
  for (const page of ['/', `/room/${id}`]) {
    const res = await fetch(`${srv.url}${page}`);
    assert.is(res.status, 200, page);
    tags.push((await res.text()).match(/<html[^>]*>/)?.[0] ?? `(no <html> tag in ${page})`);
  }
  return tags;
}

test('NOISE_SUPPRESSION=off: the home and room pages carry data-noise-suppression="off"', async () => {
  const tags = await htmlTags({ NOISE_SUPPRESSION: 'off', DEFAULT_LOCALE: 'en' });
  console.log(`NOISE_SUPPRESSION=off → ${tags.join(' | ')}`);
  for (const tag of tags) {
    assert.match(tag, / data-noise-suppression="off"/);
    assert.match(tag, / lang="en"/, 'the other attributes are kept');
  }
});

test('by default (and NOISE_SUPPRESSION=on): no such attribute', async () => {
  for (const env of [{}, { NOISE_SUPPRESSION: 'on' }] as Array<Record<string, string>>) {
    for (const tag of await htmlTags(env)) assert.not.match(tag, /noise-suppression/, `${JSON.stringify(env)}: ${tag}`);
  }
});

test('BACKGROUND_EFFECTS=off (or 0): the home and room pages carry data-background-effects="off"', async () => {
  for (const value of ['off', '0']) {
    const tags = await htmlTags({ BACKGROUND_EFFECTS: value, DEFAULT_LOCALE: 'en' });
    console.log(`BACKGROUND_EFFECTS=${value} → ${tags.join(' | ')}`);
    for (const tag of tags) {
      assert.match(tag, / data-background-effects="off"/);
      assert.match(tag, / lang="en"/, 'the other attributes are kept');
      assert.not.match(tag, /noise-suppression/, 'the other switch is left alone');
    }
  }
});

test('by default (and BACKGROUND_EFFECTS=on): data-background-effects="on"; both switches off together', async () => {
  for (const env of [{}, { BACKGROUND_EFFECTS: 'on' }] as Array<Record<string, string>>) {
    for (const tag of await htmlTags(env)) assert.match(tag, / data-background-effects="on"/, `${JSON.stringify(env)}: ${tag}`);
  }
  for (const tag of await htmlTags({ BACKGROUND_EFFECTS: 'off', NOISE_SUPPRESSION: 'off' })) {
    assert.match(tag, / data-background-effects="off"/, tag);
    assert.match(tag, / data-noise-suppression="off"/, tag);
  }
});

test.run();
