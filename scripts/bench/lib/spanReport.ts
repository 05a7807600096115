import type { LayerWindow } from './spanLayers.js';

export type Kind = 'one' | 'split';

/** One measurement window. CPU in % of one core; rates per second. */
export interface Window {
  seconds: number;
  /** The mediasoup worker of node0, of node1. */
  workers: number[];
  /** The Node.js process of node0, of node1. */
  node: number[];
  bots: number;
  /** Summed over both nodes (each counts its own side of the pipe pair: in = what the other sent). */
  pipeBytesIn: number;
  pipeBytesOut: number;
  /** What the bots received (inbound-rtp: payload bytes). */
  rxBytes: number;
  rxPackets: number;
  lossPct: number;
  framesDecoded: number;
  /** Datagrams the kernel dropped on full UDP receive buffers during the window (all sockets of the machine). */
  udpDrops: number;
}

export interface Phase {
  kind: Kind;
  round: number;
  home: number;
  rampSeconds: number;
  videoStreams: number;
  audioStreams: number;
  /** Producers piped in, both nodes together (each pipe counted once, on its destination). */
  pipedIn: { audio: number; video: number };
  /** Every microphone unmuted; then every microphone muted (only the cameras flow). */
  av: Window;
  v: Window;
}

const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
const mean = (xs: number[]) => (xs.length ? sum(xs) / xs.length : NaN);
const f = (x: number, d = 1) => (Number.isFinite(x) ? x.toFixed(d) : '-');
const kbit = (bytesPerSecond: number) => f((bytesPerSecond * 8) / 1000, 0);

/**
 * Prints the run of scripts/bench/spanRoom.ts: each phase, the means of one node against split,
 * the worker CPU per piped producer, the model for a room of 50 split 25/25, and the layers phase.
 * Returns the figures (the bench prints them as one JSON line).
 */
export function report(n: number, phases: Phase[], layers: { home: number; windows: LayerWindow[] } | undefined): Record<string, unknown> {
  const streams = n * (n - 1);
  console.log('\nphase          home  ramp  consumers v+a  pipes in v+a | window  workers n0+n1 = sum   node procs n0 / n1   bots    received                         loss      UDP drops');
  for (const p of phases) {
    for (const [name, w] of [['AV', p.av], ['V', p.v]] as const) {
      console.log(
        `${`r${p.round} ${p.kind}`.padEnd(14)} node${p.home} ${f(p.rampSeconds, 0).padStart(3)} s  ${`${p.videoStreams}+${p.audioStreams}`.padStart(13)}  ${`${p.pipedIn.video}+${p.pipedIn.audio}`.padStart(12)} | ${name.padEnd(6)}  ` +
          `${f(w.workers[0])} + ${f(w.workers[1])} = ${f(sum(w.workers)).padStart(5)} %   ${f(w.node[0])} / ${f(w.node[1])} %`.padEnd(48) +
          `${f(w.bots, 0).padStart(4)} %  ${f((w.rxBytes * 8) / 1e6, 2).padStart(6)} Mbit/s ${f(w.framesDecoded, 0).padStart(5)} frames/s  ${f(w.lossPct, 2).padStart(6)} %  ${w.udpDrops}`,
      );
    }
  }
  const of = (kind: Kind, win: 'av' | 'v', pick: (w: Window) => number) => mean(phases.filter((p) => p.kind === kind).map((p) => pick(p[win])));
  const workers = (w: Window) => sum(w.workers);
  const node = (w: Window) => sum(w.node);
  const rounds = [...new Set(phases.map((p) => p.round))];
  const paired = (win: 'av' | 'v') =>
    rounds.map((r) => {
      const [one, split] = (['one', 'split'] as const).map((k) => phases.find((p) => p.round === r && p.kind === k)!);
      return workers(split[win]) / workers(one[win]);
    });
  console.log(`\nmeans over ${rounds.length} rounds (% of one core)     one node   split   split / one   per round`);
  const summary: Record<string, unknown> = {};
  for (const win of ['av', 'v'] as const) {
    const w1 = of('one', win, workers);
    const w2 = of('split', win, workers);
    const n1 = of('one', win, node);
    const n2 = of('split', win, node);
    summary[win] = { workersOne: w1, workersSplit: w2, ratio: w2 / w1, pairedRatios: paired(win), nodeOne: n1, nodeSplit: n2, nodeRatio: n2 / n1 };
    const label = win === 'av' ? 'AV: every microphone unmuted' : 'V: microphones muted';
    console.log(`  ${label.padEnd(30)} workers  ${f(w1, 2).padStart(6)}  ${f(w2, 2).padStart(6)}   ${f(w2 / w1, 3)}×       ${paired(win).map((x) => f(x, 3)).join(', ')}`);
    console.log(`  ${''.padEnd(30)} node     ${f(n1, 2).padStart(6)}  ${f(n2, 2).padStart(6)}   ${f(n2 / n1, 3)}×`);
  }

  // Cost per piped producer: the split's extra worker CPU over the pipes that carry media (V: the
  // cameras; AV − V: the microphones, whose pipes stay but carry nothing once muted).
  const splits = phases.filter((p) => p.kind === 'split');
  const videoPipes = mean(splits.map((p) => p.pipedIn.video));
  const audioPipes = mean(splits.map((p) => p.pipedIn.audio));
  const extraV = of('split', 'v', workers) - of('one', 'v', workers);
  const extraAV = of('split', 'av', workers) - of('one', 'av', workers);
  const cv = extraV / videoPipes;
  const ca = (extraAV - extraV) / audioPipes;
  const sv = of('one', 'v', workers) / streams;
  const sa = (of('one', 'av', workers) - of('one', 'v', workers)) / streams;
  const pipeVideo = of('split', 'v', (w) => w.pipeBytesIn) / videoPipes;
  const pipeAudio = (of('split', 'av', (w) => w.pipeBytesIn) - of('split', 'v', (w) => w.pipeBytesIn)) / audioPipes;
  const consumerVideo = of('split', 'v', (w) => w.rxBytes) / streams;
  const consumerAudio = (of('split', 'av', (w) => w.rxBytes) - of('split', 'v', (w) => w.rxBytes)) / streams;
  const cvByRound = rounds.map((r) => {
    const [one, split] = (['one', 'split'] as const).map((k) => phases.find((p) => p.round === r && p.kind === k)!);
    return (workers(split.v) - workers(one.v)) / split.pipedIn.video;
  });
  console.log(`\nper piped producer (split − one node, over ${f(videoPipes, 0)} video and ${f(audioPipes, 0)} audio pipes):`);
  console.log(`  worker CPU   video ${f(cv, 3)} % of a core (by round: ${cvByRound.map((x) => f(x, 3)).join(', ')}), audio ${f(ca, 3)} %`);
  console.log(`               one node: ${f(sv, 3)} % per forwarded video stream, ${f(sa, 3)} % per audio stream: a piped camera costs ${f(cv / sv, 1)} forwarded streams`);
  console.log(`  inter-node   video ${kbit(pipeVideo)} kbit/s, audio ${kbit(pipeAudio)} kbit/s through the pipe (transport bytes: RTP, RTX, RTCP, SRTP); one consumer gets ${kbit(consumerVideo)} / ${kbit(consumerAudio)} kbit/s (payload)`);
  // The model: linear in the streams. One node forwards V video and A audio streams; the split
  // adds one pipe per camera consumed on the other side (paused consumers included: the web
  // client consumes the cameras off its page paused, SIG-8, and a pipe carries while any consumer
  // of it exists) and one per unmuted microphone.
  console.log('\nmodel, 50 participants split 25/25, C cameras, S = 2 unmuted microphones, a page of P videos each:');
  console.log('  one node ≈ V·sv + 49·S·sa (V: video streams forwarded, 50·min(P, C) or so); split adds C·cv + S·ca (every camera piped once)');
  const model: Array<Record<string, number>> = [];
  for (const page of [49, 9]) {
    for (const c of [10, 25, 50]) {
      const speakers = 2;
      const video = c * Math.min(page, c - 1) + (50 - c) * Math.min(page, c);
      const one = video * sv + 49 * speakers * sa;
      const extra = c * cv + speakers * ca;
      model.push({ page, cameras: c, speakers, videoStreams: video, oneNode: one, extra, ratio: 1 + extra / one });
      console.log(`  P=${String(page).padStart(2)} C=${String(c).padStart(2)}: V=${String(video).padStart(4)}, one node ≈ ${f(one, 0).padStart(3)} % of a core, split +${f(extra, 1)} % → ${f(1 + extra / one, 3)}×`);
    }
  }
  if (layers) {
    console.log(`\nsimulcast through the pipe (publisher on node${layers.home}, 2 receivers on the annex):`);
    for (const w of layers.windows) {
      const got = w.receivers.map((r) => `${kbit(r.bytes)} kbit/s ${r.frame} ${f(r.fps, 0)} fps`).join('; ');
      console.log(`  receivers on the ${w.layer.padEnd(6)} layer: pipe ${kbit(w.homeOut)} kbit/s sent by the home, ${kbit(w.annexIn)} received by the annex; receivers get ${got}`);
    }
  }
  return { summary, perPipe: { cv, cvByRound, ca, sv, sa, videoPipes, audioPipes, pipeVideo, pipeAudio, consumerVideo, consumerAudio }, model, layers };
}
