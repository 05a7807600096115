/**
 * A process of synthetic participants for the room benchmark (scripts/bench/room.ts forks
 * several: one process's event loop and libwebrtc threads cannot carry 50 bots). Driven by the
 * parent over IPC: `join` one bot (the parent paces the joins across processes, one at a time,
 * as people arrive in a meeting), `ready` once all joined, then `totals` and `stop`.
 */
import os from 'node:os';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { WrtcBot as Bot } from '../../../tests/helpers/WrtcBot.js';

// The bots share the machine with the server they measure: they run at a lower priority (nice 10,
// set before libwebrtc starts its threads, which inherit it) so that they degrade before it does.
os.setPriority(0, Number(process.env.BOT_NICE ?? 10));
const { WrtcBot } = await import('../../../tests/helpers/WrtcBot.js');

export interface BotSpec {
  name: string;
  token: string;
  publishVideo: boolean;
  micMuted: boolean;
}

export interface RunnerConfig {
  url: string;
  roomId: string;
  page: number;
  video: { width: number; height: number; fps: number };
}

export type ToRunner = { type: 'join'; spec: BotSpec } | { type: 'ready' } | { type: 'totals' } | { type: 'stop' };
export type FromRunner =
  | { type: 'joined'; name: string; steps: Array<[string, number]> }
  | { type: 'lost'; name: string; reason: string }
  | { type: 'failed'; error: string }
  | { type: 'ready'; joinMs: number[]; videoStreams: number; audioStreams: number }
  | { type: 'totals'; bytes: number; packets: number; packetsLost: number; framesDecoded: number; loopDelayMaxMs: number };

const send = (m: FromRunner) => process.send!(m);
const config = JSON.parse(process.env.BOT_RUNNER_CONFIG!) as RunnerConfig;
const bots: Bot[] = [];
/** How late this process's event loop runs (a starved bot process misses its heartbeats). */
const loopDelay = monitorEventLoopDelay({ resolution: 20 });
loopDelay.enable();

async function join(spec: BotSpec): Promise<void> {
  const bot = new WrtcBot(spec.name);
  bot.videoLimit = config.page;
  bot.publishVideo = spec.publishVideo;
  bot.micMuted = spec.micMuted;
  bot.audioSinks = false;
  bot.videoSinks = 'first-frame';
  bot.video = config.video;
  bots.push(bot);
  await bot.join(config.url, config.roomId, spec.token);
  bot.socket.on('disconnect', (reason) => send({ type: 'lost', name: spec.name, reason: bot.closedBy ?? reason }));
  send({ type: 'joined', name: spec.name, steps: bot.joinSteps });
}

/** Join time: connect → first decoded remote video frame (for bots that receive video at all). */
async function ready(): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline && bots.some((b) => b.peers.size > 0 && !b.firstRemoteFrameAt)) {
    await new Promise((r) => setTimeout(r, 200));
  }
  const remote = bots.flatMap((b) => [...b.remote.values()].filter((r) => !r.closed));
  send({
    type: 'ready',
    joinMs: bots.filter((b) => b.firstRemoteFrameAt).map((b) => b.firstRemoteFrameAt - b.joinStartedAt),
    videoStreams: remote.filter((r) => r.kind === 'video').length,
    audioStreams: remote.filter((r) => r.kind === 'audio').length,
  });
}

async function totals(): Promise<void> {
  const all = await Promise.all(bots.map((b) => b.receiveTotals()));
  const sum = (k: keyof (typeof all)[number]) => all.reduce((n, t) => n + t[k], 0);
  send({
    type: 'totals',
    bytes: sum('bytes'),
    packets: sum('packets'),
    packetsLost: sum('packetsLost'),
    framesDecoded: sum('framesDecoded'),
    loopDelayMaxMs: loopDelay.max / 1e6,
  });
  loopDelay.reset();
}

process.on('message', (m: ToRunner) => {
  if (m.type === 'stop') {
    for (const b of bots) b.close();
    process.exit(0);
  }
  const work = m.type === 'join' ? join(m.spec) : m.type === 'ready' ? ready() : totals();
  work.catch((error: unknown) => send({ type: 'failed', error: String(error) }));
});
