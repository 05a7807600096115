import * as assert from 'uvu/assert';
import { browserSuite, openPage, selfId, WAIT_MS } from '../helpers/browser.js';
import { exitAfterRun } from '../helpers/exitAfterRun.js';

/**
 * SEC-9 (docs/security.md) in a real Chromium through the built client: the security headers
 * are on every response, the page works under its Content-Security-Policy (meeting, board and
 * chat, without a single CSP violation), and a join link's `?token=` leaves the address bar at
 * once while a reload of the same tab still joins.
 */
const security = browserSuite('browser security');

security('headers: CSP with frame-ancestors, nosniff, no-referrer, DENY framing, permissions', async (ctx) => {
  const { srv } = ctx;
  for (const path of ['/', '/room/x', '/api/collab/config', '/healthz', '/api/nope']) {
    const res = await fetch(`${srv!.url}${path}`);
    const csp = res.headers.get('content-security-policy') ?? '';
    assert.ok(csp.includes("frame-ancestors 'none'"), `${path}: frame-ancestors (${csp})`);
    assert.ok(csp.includes("script-src 'self'"), `${path}: scripts from this origin only`);
    assert.not.ok(csp.includes('upgrade-insecure-requests'), `${path}: no upgrade-insecure-requests on plain HTTP`);
    assert.is(res.headers.get('x-content-type-options'), 'nosniff', path);
    assert.is(res.headers.get('referrer-policy'), 'no-referrer', path);
    assert.is(res.headers.get('x-frame-options'), 'DENY', path);
    assert.ok((res.headers.get('permissions-policy') ?? '').includes('camera=(self)'), path);
    assert.is(res.headers.get('x-powered-by'), null, path);
  }
});

security('the token leaves the address bar, the meeting and the board work under the CSP, a reload rejoins', async (ctx) => {
  const srv = ctx.srv!;
  const { id } = await srv.createRoom();
  const logs: string[] = [];
  const token = await srv.mintToken(id, 'Ada');
  const page = await openPage(ctx.browser!, ctx.contexts, `${srv.url}/room/${id}?token=${encodeURIComponent(token)}&autojoin=1`, logs);
  const violations: string[] = [];
  page.on('console', (m) => /Content Security Policy/i.test(m.text()) && violations.push(m.text()));
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) => console.error(`Content Security Policy violation: ${e.violatedDirective} ${e.blockedURI}`));
  });
  const first = await selfId(page);
  assert.ok(first, 'joined with the token');
  const url = new URL(page.url());
  assert.is(url.searchParams.get('token'), null, `no token in the address bar (${page.url()})`);
  assert.is(url.searchParams.get('autojoin'), '1', 'other parameters kept');
  const history = await page.evaluate(() => window.history.length);
  assert.ok(history >= 1);

  await page.click('[data-testid="toggle-board"]');
  await page.locator('.tl-canvas').waitFor({ timeout: WAIT_MS });
  await page.click('[data-testid="toggle-chat"]');
  await page.fill('[data-testid="chat-input"]', 'bonjour');
  await page.press('[data-testid="chat-input"]', 'Enter');
  await page.locator('[data-testid="chat-message"]', { hasText: 'bonjour' }).waitFor({ timeout: WAIT_MS });

  await page.reload();
  const second = await selfId(page);
  assert.ok(second && second !== first, 'a reload of the same tab joins again (token kept for this tab only)');
  assert.is(new URL(page.url()).searchParams.get('token'), null);
  violations.push(...logs.filter((l) => /Content Security Policy/i.test(l)));
  assert.equal(violations, [], `no CSP violation:\n${violations.join('\n')}\n${logs.join('\n')}`);
});

exitAfterRun(security);
