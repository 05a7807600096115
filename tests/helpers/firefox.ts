import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import { AXE_SOURCE, EXPLICIT_RULES, findSeriousInPage, type AxeFinding } from './axe.js';

/** Debian's Firefox ESR (docs: STACK.md, "Browsers in tests"); never a downloaded build. */
export const FIREFOX_ESR = '/usr/bin/firefox-esr';
const WAIT_MS = 20_000;

export interface FirefoxOptions {
  /** An X display (Xvfb) to open a real window on; none: headless (Firefox then has no WebGL). */
  display?: string;
}

/** A Firefox ESR of its own profile, fake camera and microphone without a prompt, driven over WebDriver BiDi. */
export async function launchFirefox(options: FirefoxOptions = {}): Promise<{ browser: Browser; close: () => Promise<void> }> {
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'nomades-firefox-'));
  const browser = await puppeteer.launch({
    browser: 'firefox',
    executablePath: FIREFOX_ESR,
    headless: !options.display,
    userDataDir: profile,
    timeout: WAIT_MS,
    env: { ...process.env, ...(options.display ? { DISPLAY: options.display } : {}) },
    extraPrefsFirefox: {
      'media.navigator.streams.fake': true,
      'media.navigator.permission.disabled': true,
      'media.autoplay.default': 0, // allowed: the audio context of noise suppression starts without a click
    },
  });
  return {
    browser,
    close: async () => {
      await browser.close().catch(() => undefined);
      fs.rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** A page whose errors (uncaught, and console errors) are kept in `logs`. */
export async function firefoxPage(browser: Browser, logs: string[]): Promise<Page> {
  const page = await browser.newPage();
  page.setDefaultTimeout(WAIT_MS);
  page.on('pageerror', (e) => logs.push(`[pageerror] ${e instanceof Error ? e.message : String(e)}`));
  page.on('console', (m) => (m.type() === 'error' || m.type() === 'warn') && logs.push(`[${m.type()}] ${m.text()}`));
  return page;
}

/** An Xvfb server on a free display (Mesa's software GL: what a desktop without a graphics card has). */
export async function startXvfb(): Promise<{ display: string; close: () => void }> {
  const child: ChildProcess = spawn('Xvfb', ['-displayfd', '3', '-screen', '0', '1280x800x24', '-nolisten', 'tcp'], { stdio: ['ignore', 'ignore', 'pipe', 'pipe'] });
  let err = '';
  child.stderr!.on('data', (d) => (err += d));
  const display = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`Xvfb gave no display within ${WAIT_MS} ms: ${err}`)), WAIT_MS);
    let out = '';
    child.stdio[3]!.on('data', (d: Buffer) => {
      out += d;
      if (out.includes('\n')) clearTimeout(timer), resolve(`:${out.trim()}`);
    });
    child.once('error', (e) => (clearTimeout(timer), reject(e)));
    child.once('exit', (code) => (clearTimeout(timer), reject(new Error(`Xvfb exited (${code}): ${err}`))));
  }).catch((error: unknown) => {
    child.kill('SIGKILL');
    throw error;
  });
  return { display, close: () => void child.kill('SIGTERM') };
}

/** axe-core's serious and critical violations in a Firefox page (tests/helpers/axe.ts's rules). */
export async function seriousViolationsIn(page: Page): Promise<AxeFinding[]> {
  if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(AXE_SOURCE);
  return page.evaluate(findSeriousInPage, [...EXPLICIT_RULES]);
}
