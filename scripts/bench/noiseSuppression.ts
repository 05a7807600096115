/**
 * What noise suppression costs (issue 24): the RNNoise AudioWorklet of the built client
 * (client/dist/assets: the processor and the wasm the page loads), in headless Chromium on this
 * machine. An OfflineAudioContext at 48 kHz renders `--seconds` of white noise through the
 * processor as fast as it can, and through a plain GainNode (the graph's own cost); the difference
 * divided by the number of 10 ms frames is the processing time of one frame, against a budget of
 * 10 ms of real time. Real time: `--realtime` s of a live AudioContext playing noise through the
 * processor, with the renderer processes' CPU from /proc, and the same without the processor.
 *
 *   npm run build -w client && bash scripts/with-node npx tsx scripts/bench/noiseSuppression.ts [--seconds 60] [--realtime 10]
 */
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { launchBrowser } from '../../tests/helpers/browser.js';
import { sleep } from '../../tests/helpers/waitFor.js';

const { values: args } = parseArgs({ options: { seconds: { type: 'string', default: '60' }, realtime: { type: 'string', default: '10' } } });
const SECONDS = Number(args.seconds);
const REALTIME_S = Number(args.realtime);
const ASSETS = path.resolve(import.meta.dirname, '../../client/dist/assets');
const asset = (pattern: RegExp) => {
  const name = fs.readdirSync(ASSETS).find((f) => pattern.test(f));
  if (!name) throw new Error(`no ${pattern} in ${ASSETS}: build the client first`);
  return `/assets/${name}`;
};
const worklet = asset(/^workletProcessor-.*\.js$/);
const simdWasm = asset(/^rnnoise_simd-.*\.wasm$/);

const PAGE = `<!doctype html><html><body><script type="module">
const PROCESSOR = '@sapphi-red/web-noise-suppressor/rnnoise';
const noise = (ctx, seconds) => {
  const buffer = ctx.createBuffer(1, ctx.sampleRate * seconds, ctx.sampleRate);
  const data = buffer.getChannelData(0);
  for (let i = 0; i < data.length; i++) data[i] = (Math.random() * 2 - 1) * 0.05;
  const source = new AudioBufferSourceNode(ctx, { buffer, loop: true });
  return source;
};
const wasmBinary = await (await fetch('${simdWasm}')).arrayBuffer();
window.offline = async (seconds, withRnnoise) => {
  const ctx = new OfflineAudioContext(1, 48000 * seconds, 48000);
  await ctx.audioWorklet.addModule('${worklet}');
  const source = noise(ctx, 1);
  const node = withRnnoise ? new AudioWorkletNode(ctx, PROCESSOR, { processorOptions: { maxChannels: 1, wasmBinary } }) : new GainNode(ctx);
  source.connect(node).connect(ctx.destination);
  source.start();
  // The processor compiles its wasm asynchronously: render from when it is ready.
  ctx.suspend(128 / 48000).then(() => new Promise((r) => setTimeout(r, 1000))).then(() => { window.t0 = performance.now(); ctx.resume(); });
  const rendered = await ctx.startRendering();
  const ms = performance.now() - window.t0;
  const out = rendered.getChannelData(0);
  let sum = 0; for (let i = out.length / 2; i < out.length; i++) sum += out[i] * out[i];
  return { ms, rms: Math.sqrt(sum / (out.length / 2)) };
};
window.live = async (withRnnoise) => {
  const ctx = new AudioContext({ sampleRate: 48000 });
  await ctx.audioWorklet.addModule('${worklet}');
  const source = noise(ctx, 1);
  const node = withRnnoise ? new AudioWorkletNode(ctx, PROCESSOR, { processorOptions: { maxChannels: 1, wasmBinary } }) : new GainNode(ctx);
  source.connect(node).connect(ctx.createMediaStreamDestination());
  source.start();
  await ctx.resume();
  window.stopLive = () => ctx.close();
  return ctx.state;
};
window.ready = true;
</script></body></html>`;

const server = http.createServer((req, res) => {
  const url = req.url ?? '/';
  if (url === '/') return res.writeHead(200, { 'content-type': 'text/html' }).end(PAGE);
  const file = path.join(ASSETS, path.basename(url));
  if (!url.startsWith('/assets/') || !fs.existsSync(file)) return res.writeHead(404).end();
  res.writeHead(200, { 'content-type': file.endsWith('.wasm') ? 'application/wasm' : 'text/javascript' }).end(fs.readFileSync(file));
});
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const port = (server.address() as { port: number }).port;

/** CPU seconds (user + system) of the processes this one started (the browser's), from /proc. */
function browserCpuSeconds(rootPid: number): number {
  const pids = new Set([rootPid]);
  for (let changed = true; changed; ) {
    changed = false;
    for (const entry of fs.readdirSync('/proc').filter((e) => /^\d+$/.test(e))) {
      try {
        const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
        const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
        if (pids.has(ppid) && !pids.has(Number(entry))) pids.add(Number(entry)), (changed = true);
      } catch {
        // gone
      }
    }
  }
  let ticks = 0;
  pids.delete(rootPid);
  for (const pid of pids) {
    try {
      const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
      ticks += Number(fields[11]) + Number(fields[12]);
    } catch {
      // gone
    }
  }
  return ticks / 100;
}

const browser = await launchBrowser();
try {
  const page = await browser.newPage();
  await page.goto(`http://127.0.0.1:${port}/`);
  await page.waitForFunction(() => (window as unknown as { ready?: boolean }).ready === true, undefined, { timeout: 20_000 });
  const frames = SECONDS * 100;
  type Offline = { ms: number; rms: number };
  const run = (withRnnoise: boolean) => page.evaluate(([s, w]) => (window as unknown as { offline: (s: number, w: boolean) => Promise<Offline> }).offline(s, w), [SECONDS, withRnnoise] as const);
  await run(true); // warm-up (JIT, wasm compile cache)
  const base = await run(false);
  const rnnoise = await run(true);
  const perFrame = (rnnoise.ms - base.ms) / frames;
  console.log(`offline, ${SECONDS} s of noise at 48 kHz (${frames} frames of 10 ms):`);
  console.log(`  graph alone ${base.ms.toFixed(0)} ms; with RNNoise ${rnnoise.ms.toFixed(0)} ms → ${perFrame.toFixed(3)} ms per 10 ms frame (${(perFrame * 10).toFixed(1)} % of one core in real time)`);
  console.log(`  noise RMS in ${(20 * Math.log10(base.rms)).toFixed(1)} dBFS, out ${(20 * Math.log10(Math.max(rnnoise.rms, 1e-9))).toFixed(1)} dBFS`);

  const pid = process.pid;
  if (REALTIME_S > 0) {
    for (const withRnnoise of [false, true]) {
      await page.evaluate((w) => (window as unknown as { live: (w: boolean) => Promise<string> }).live(w), withRnnoise);
      await sleep(1000);
      const cpu0 = browserCpuSeconds(pid);
      const t0 = Date.now();
      await sleep(REALTIME_S * 1000);
      const share = (browserCpuSeconds(pid) - cpu0) / ((Date.now() - t0) / 1000);
      await page.evaluate(() => (window as unknown as { stopLive: () => Promise<void> }).stopLive());
      console.log(`live, ${REALTIME_S} s ${withRnnoise ? 'with RNNoise' : 'without (graph only)'}: Chromium ${(share * 100).toFixed(1)} % of one core`);
    }
  }
} finally {
  await browser.close();
  server.close();
}
