/**
 * Cost of the camera's background effect in headless Chromium (npm run bench:background): the
 * pre-join page of a test server, its fake camera a 640×360 Y4M of a person
 * (tests/helpers/PersonScene.ts) at 15 or 30 fps, the effect chosen through localStorage. For each
 * case: the figures the pipeline measures itself (frames painted per second, masks per second,
 * time per mask and per composited frame; client/src/media/effects/BackgroundRate.ts) and the
 * CPU of the whole browser (every process under this one, from /proc), over MEASURE_S seconds
 * after a WARM_S warm-up. Cases: no effect (the baseline), blur with the landscape model and with
 * the general one, at 15 and 30 fps.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { CHROMIUM_FLAGS } from '../../tests/helpers/browser.js';
import { makePersonScene } from '../../tests/helpers/PersonScene.js';
import { startTestServer } from '../../tests/helpers/testServer.js';

const WARM_S = Number(process.env.WARM_S ?? 8);
const MEASURE_S = Number(process.env.MEASURE_S ?? 10);
const TICKS = 100; // USER_HZ on Linux

/** utime + stime (in ticks) of every process descending from this one. */
function cpuTicks(): number {
  const parent = new Map<number, number>();
  const ticks = new Map<number, number>();
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${name}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      parent.set(Number(name), Number(fields[1]));
      ticks.set(Number(name), Number(fields[11]) + Number(fields[12]));
    } catch {
      // gone meanwhile
    }
  }
  let total = 0;
  for (const [pid, t] of ticks) {
    for (let p = parent.get(pid); p !== undefined && p > 1; p = parent.get(p)) {
      if (p === process.pid) {
        total += t;
        break;
      }
    }
  }
  return total;
}

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nomades-bench-background-'));
const scene = await makePersonScene(dir);
const y4m30 = path.join(dir, 'scene30.y4m');
execFileSync('ffmpeg', ['-loglevel', 'error', '-y', '-loop', '1', '-i', path.join(dir, 'scene.png'), '-t', '2', '-r', '30', '-pix_fmt', 'yuv420p', y4m30]);
const srv = await startTestServer();
const { id } = await srv.createRoom({ name: 'Bench background' });
const cases = [
  { fps: 15, effect: 'none', model: 'landscape' },
  { fps: 15, effect: 'blur-light', model: 'landscape' },
  { fps: 15, effect: 'blur-light', model: 'general' },
  { fps: 30, effect: 'none', model: 'landscape' },
  { fps: 30, effect: 'blur-light', model: 'landscape' },
  { fps: 30, effect: 'blur-light', model: 'general' },
];
console.log(`background effect cost: headless Chromium (${execFileSync('/usr/bin/chromium', ['--version']).toString().trim()}, --disable-gpu: WebGL on SwiftShader), ${os.cpus().length} × ${os.cpus()[0]?.model}, camera 640×360 Y4M, warm-up ${WARM_S} s, measured ${MEASURE_S} s`);
console.log('fps | effect | model | painted fps | masks/s | ms/mask | ms/frame | painting rate halved | browser CPU (% of one core) | turned off');
try {
  for (const c of cases) {
    const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: [...CHROMIUM_FLAGS, `--use-file-for-fake-video-capture=${c.fps === 30 ? y4m30 : scene.y4m}`] });
    try {
      const context = await browser.newContext({ permissions: ['camera', 'microphone'] });
      await context.addInitScript(([effect, model]) => {
        localStorage.setItem('nomades.background', effect!);
        localStorage.setItem('nomades.background.model', model!);
      }, [c.effect, c.model]);
      const page = await context.newPage();
      await page.goto(`${srv.url}/room/${id}?name=Bench`);
      await page.locator('[data-testid="preview-video"]').waitFor();
      await new Promise((r) => setTimeout(r, WARM_S * 1000));
      const t0 = cpuTicks();
      const start = Date.now();
      await new Promise((r) => setTimeout(r, MEASURE_S * 1000));
      const cpu = ((cpuTicks() - t0) / TICKS / ((Date.now() - start) / 1000)) * 100;
      const figures = (await page.evaluate(() => (globalThis as { __nomadesBackground?: Record<string, number> }).__nomadesBackground ?? null)) as Record<string, number> | null;
      const off = await page.locator('[data-testid="background-notice"]').textContent();
      const f = figures ?? {};
      console.log(`${c.fps} | ${c.effect} | ${c.effect === 'none' ? '-' : c.model} | ${f.fps ?? '-'} | ${f.segmentFps ?? '-'} | ${f.segmentMs ?? '-'} | ${f.paintMs ?? '-'} | ${f.lowered ?? '-'} | ${cpu.toFixed(0)} | ${off ? off.trim() : 'no'}`);
    } finally {
      await browser.close();
    }
  }
} finally {
  await srv.close();
  fs.rmSync(dir, { recursive: true, force: true });
}
process.exit(0);
