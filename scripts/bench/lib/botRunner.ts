/**
 * A process of synthetic participants for the room benchmark (scripts/bench/room.ts forks
 * several: one process's event loop and libwebrtc threads cannot carry 50 bots). Driven by the
 * parent over IPC: `join` one bot (the parent paces the joins across processes, one at a time,
 * as people arrive in a meeting), `ready` once all joined, then `totals`, `rejoin` (one bot
 * leaves and joins again with the same token, scripts/bench/join.ts), `mute` (every bot's
 * microphone), `leaveAll` (the process stays, for the next room) and `stop`.
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
  /** How the bot consumes the producers present at its join (SIG-17); default `batch`. */
  consumeMode?: 'batch' | 'single';
  /** Another server or room than the process's (RunnerConfig), for this bot (scripts/bench/spanRoom.ts: one room per phase). */
  url?: string;
  roomId?: string;
}

/**
 * Phases of one join, in ms from its start (scripts/bench/join.ts): socket connected, `join`
 * answered, transports created, each transport's ICE+DTLS `connected`, everything present
 * consumed, first remote video frame decoded; and the requests the join sent.
 */
export interface JoinPhases {
  connect: number;
  join: number;
  transports: number;
  sendConnected?: number;
  recvConnected?: number;
  consumed: number;
  firstFrame?: number;
  requests: number;
}

export interface RunnerConfig {
  url: string;
  roomId: string;
  page: number;
  /** Consume every camera, the ones beyond the page left paused, as the browser does (join benchmark). */
  consumeOffPage?: boolean;
  video: { width: number; height: number; fps: number };
}

export type ToRunner =
  | { type: 'join'; spec: BotSpec }
  | { type: 'ready' }
  | { type: 'totals' }
  | { type: 'rejoin'; name: string }
  | { type: 'mute'; muted: boolean }
  | { type: 'leaveAll' }
  | { type: 'stop' };
export type FromRunner =
  | { type: 'joined'; name: string; steps: Array<[string, number]> }
  | { type: 'lost'; name: string; reason: string }
  | { type: 'failed'; error: string }
  | { type: 'ready'; joinMs: number[]; phases: JoinPhases[]; videoStreams: number; audioStreams: number }
  | { type: 'rejoined'; name: string; phases: JoinPhases }
  | { type: 'muted' }
  | { type: 'left' }
  | { type: 'totals'; bytes: number; packets: number; packetsLost: number; framesDecoded: number; loopDelayMaxMs: number };

const send = (m: FromRunner) => process.send!(m);
const config = JSON.parse(process.env.BOT_RUNNER_CONFIG!) as RunnerConfig;
const bots: Bot[] = [];
const specs = new Map<string, BotSpec>();
/** Bots that left on purpose (rejoin): their disconnect is not a lost connection. */
const retired = new WeakSet<Bot>();
/** How late this process's event loop runs (a starved bot process misses its heartbeats). */
const loopDelay = monitorEventLoopDelay({ resolution: 20 });
loopDelay.enable();

async function join(spec: BotSpec): Promise<void> {
  specs.set(spec.name, spec);
  const bot = await joinBot(spec);
  bots.push(bot);
  send({ type: 'joined', name: spec.name, steps: bot.joinSteps });
}

async function joinBot(spec: BotSpec): Promise<Bot> {
  const bot = new WrtcBot(spec.name);
  bot.consumeMode = spec.consumeMode ?? 'batch';
  bot.videoLimit = config.page;
  bot.consumeOffPage = config.consumeOffPage ?? false;
  bot.publishVideo = spec.publishVideo;
  bot.micMuted = spec.micMuted;
  bot.audioSinks = false;
  bot.videoSinks = 'first-frame';
  bot.video = config.video;
  await bot.join(spec.url ?? config.url, spec.roomId ?? config.roomId, spec.token);
  bot.socket.on('disconnect', (reason) => retired.has(bot) || send({ type: 'lost', name: spec.name, reason: bot.closedBy ?? reason }));
  return bot;
}

function phasesOf(bot: Bot): JoinPhases {
  const step = new Map(bot.joinSteps);
  const since = (at: number) => (at ? at - bot.joinStartedAt : undefined);
  return {
    connect: step.get('connect')!,
    join: step.get('join')!,
    transports: step.get('transports')!,
    sendConnected: since(bot.sendConnectedAt),
    recvConnected: since(bot.recvConnectedAt),
    consumed: step.get('consume')!,
    firstFrame: since(bot.firstRemoteFrameAt),
    requests: bot.requestsAtJoin,
  };
}

async function firstFrames(of: Bot[], timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline && of.some((b) => b.peers.size > 0 && !b.firstRemoteFrameAt)) {
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** One bot leaves, then joins again with the same token into the room (a full rejoin, SIG-16). */
async function rejoin(name: string): Promise<void> {
  const i = bots.findIndex((b) => b.name === name);
  if (i < 0) throw new Error(`no bot ${name} in this process`);
  retired.add(bots[i]);
  await bots[i].leave();
  const bot = await joinBot(specs.get(name)!);
  bots[i] = bot;
  await firstFrames([bot], 30_000);
  send({ type: 'rejoined', name, phases: phasesOf(bot) });
}

/** Join time: connect → first decoded remote video frame (for bots that receive video at all). */
async function ready(): Promise<void> {
  await firstFrames(bots, 30_000);
  const remote = bots.flatMap((b) => [...b.remote.values()].filter((r) => !r.closed));
  send({
    type: 'ready',
    joinMs: bots.filter((b) => b.firstRemoteFrameAt).map((b) => b.firstRemoteFrameAt - b.joinStartedAt),
    phases: bots.map(phasesOf),
    videoStreams: remote.filter((r) => r.kind === 'video').length,
    audioStreams: remote.filter((r) => r.kind === 'audio').length,
  });
}

/** Every bot mutes or unmutes its microphone (as the browser does: locally, then the server's producer). */
async function mute(muted: boolean): Promise<void> {
  await Promise.all(bots.map((b) => b.setMicMuted(muted)));
  send({ type: 'muted' });
}

/** Every bot leaves (on purpose: not a lost connection); the process waits for the next joins. */
async function leaveAll(): Promise<void> {
  for (const b of bots) retired.add(b);
  await Promise.all(bots.map((b) => b.leave()));
  bots.length = 0;
  specs.clear();
  send({ type: 'left' });
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
  const work =
    m.type === 'join' ? join(m.spec)
    : m.type === 'ready' ? ready()
    : m.type === 'rejoin' ? rejoin(m.name)
    : m.type === 'mute' ? mute(m.muted)
    : m.type === 'leaveAll' ? leaveAll()
    : totals();
  work.catch((error: unknown) => send({ type: 'failed', error: String(error) }));
});
