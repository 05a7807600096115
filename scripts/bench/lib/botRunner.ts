/**
 * A process of synthetic participants for the room benchmark (scripts/bench/room.ts forks
 * several: one process's event loop and libwebrtc threads cannot carry 50 bots). Talks to the
 * parent over IPC: it joins its bots one after the other, then answers `totals` and `stop`.
 */
import { WrtcBot } from '../../../tests/helpers/WrtcBot.js';

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
  bots: BotSpec[];
}

export type ToRunner = { type: 'totals' } | { type: 'stop' };
export type FromRunner =
  | { type: 'joined'; name: string }
  | { type: 'failed'; error: string }
  | { type: 'ready'; joinMs: number[]; videoStreams: number; audioStreams: number }
  | { type: 'totals'; bytes: number; packets: number; packetsLost: number; framesDecoded: number };

const send = (m: FromRunner) => process.send!(m);

async function main(config: RunnerConfig): Promise<void> {
  const bots: WrtcBot[] = [];
  process.on('message', async (m: ToRunner) => {
    if (m.type === 'stop') {
      for (const b of bots) b.close();
      process.exit(0);
    }
    const all = await Promise.all(bots.map((b) => b.receiveTotals()));
    const sum = (k: keyof (typeof all)[number]) => all.reduce((n, t) => n + t[k], 0);
    send({ type: 'totals', bytes: sum('bytes'), packets: sum('packets'), packetsLost: sum('packetsLost'), framesDecoded: sum('framesDecoded') });
  });
  try {
    for (const spec of config.bots) {
      const bot = new WrtcBot(spec.name);
      bot.videoLimit = config.page;
      bot.publishVideo = spec.publishVideo;
      bot.micMuted = spec.micMuted;
      bot.audioSinks = false;
      bot.video = config.video;
      bots.push(bot);
      await bot.join(config.url, config.roomId, spec.token);
      send({ type: 'joined', name: spec.name });
    }
  } catch (error) {
    send({ type: 'failed', error: String(error) });
    return;
  }
  // Join time: connect → first decoded remote video frame (for bots that receive video at all).
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

void main(JSON.parse(process.env.BOT_RUNNER_CONFIG!) as RunnerConfig);
