import type { MediaSource } from '@nomades/shared';

export interface PlannedTrack {
  file: string;
  kind: 'audio' | 'video';
  source: MediaSource;
  peerId: string;
  /** The person: a full rejoin brings a new peerId but the same identity, hence the same tile. */
  identity: string;
  /** Absolute first and last timestamps (seconds, wall clock); `end` is Infinity while it is still written. */
  start: number;
  end: number;
}

/** One input of the composing ffmpeg: a track file, read from a point near the window on (COMP-6). */
export interface PlanInput {
  file: string;
  /** Input options: `-ss` (seek, relative to the file's first timestamp) and `-t` (how much to read). */
  options: string[];
}

export interface ComposePlan {
  inputs: PlanInput[];
  filter: string;
  durationSec: number;
  /** Absolute time of the composed file's 0. */
  origin: number;
}

export interface Cell {
  x: number;
  y: number;
  w: number;
  h: number;
}

const even = (n: number) => Math.max(2, Math.floor(n / 2) * 2);

/**
 * Where each participant's picture goes: a grid of the cameras, or, when someone shares a
 * screen, the screen large on the left and the cameras in a column on the right.
 */
export function layout(keys: { key: string; screen: boolean }[], width: number, height: number): Map<string, Cell> {
  const cells = new Map<string, Cell>();
  const screens = keys.filter((k) => k.screen);
  const cameras = keys.filter((k) => !k.screen);
  if (screens.length > 0) {
    const mainW = cameras.length > 0 ? even(width * 0.75) : width;
    const mainH = even(height / screens.length);
    screens.forEach((k, i) => cells.set(k.key, { x: 0, y: i * mainH, w: mainW, h: mainH }));
    const side = Math.max(cameras.length, 1);
    const h = even(height / side);
    cameras.forEach((k, i) => cells.set(k.key, { x: mainW, y: i * h, w: even(width - mainW), h }));
    return cells;
  }
  const n = Math.max(cameras.length, 1);
  const cols = Math.ceil(Math.sqrt(n));
  const rows = Math.ceil(n / cols);
  const w = even(width / cols);
  const h = even(height / rows);
  cameras.forEach((k, i) => cells.set(k.key, { x: (i % cols) * w, y: Math.floor(i / cols) * h, w, h }));
  return cells;
}

/** How a plan is drawn (COMP-1…COMP-3, COMP-6 in recorder/README.md). */
export interface PlanOptions {
  width?: number;
  height?: number;
  fps?: number;
  /**
   * COMP-6: the span of the meeting to compose (absolute seconds, wall clock): one segment. By
   * default the whole meeting, from the first packet of any track to the last.
   */
  window?: { from: number; to: number };
  /**
   * COMP-3, the plan of the second attempt: every picture first made constant-rate and cut at the
   * window's ends, one thread; so that no branch depends on another's end or on `-t`.
   */
  safe?: boolean;
}

/** Seconds read before a window's start: the picture shown at its first instant, and the voice's resampler settled. */
const LEAD_IN = 1;

/**
 * The filter graph of one window of the meeting (the whole meeting by default). Every track is
 * placed on one timeline by its absolute timestamps (ffmpeg runs with `-copyts`; the window's
 * start is the file's 0): video frames are overlaid on a canvas from their time on (and leave when
 * the track ends), audio is resampled against its own timestamps from the window's start
 * (`first_pts=0`: what came before is dropped, a late start padded with silence; gaps such as DTX
 * filled; drift between the sender's audio clock and the wall clock compensated softly, and by
 * inserting or dropping samples beyond 50 ms) and mixed without normalization onto a silent bed
 * of the window's length. Audio thus never strays more than ~50 ms from the wall-clock timeline
 * the video frames are placed on, in every window alike, so consecutive windows join exactly.
 *
 * COMP-1: every branch of the graph ends by itself at the window's length. An unbounded one (a
 * bare `apad`, padding silence for ever) made ffmpeg 5.1 spin after its last frame: its filter
 * scheduler always found the padding filter ready and never went back to read the video inputs
 * (tests/fixtures/recording/compose-hang, tests/integration/recordingCompose.test.ts).
 *
 * COMP-6: a track that began before the window is read from LEAD_IN seconds before it (`-ss`,
 * the demuxer scanning packets without decoding them; decoding starts at the key frame before,
 * which the recorder asks for before each boundary), and no further than the window's end.
 */
export function composePlan(tracks: PlannedTrack[], options: PlanOptions = {}): ComposePlan {
  const { width = 1280, height = 720, fps = 15, safe = false } = options;
  const window = options.window ?? wholeMeeting(tracks);
  const origin = window.from;
  const durationSec = window.to - window.from;
  if (!(durationSec > 0)) throw new Error('no media was captured');
  // A window may hold no track (everyone had left): the canvas and silence.
  const usable = tracks.filter((t) => t.end > t.start && t.start < window.to && t.end > window.from);
  const d = durationSec.toFixed(3);
  const inputs = usable.map((t): PlanInput => {
    const seek = window.from - LEAD_IN - t.start;
    const readFrom = seek > 0 ? window.from - LEAD_IN : t.start;
    const read = ['-t', (window.to - readFrom + LEAD_IN).toFixed(3)];
    return { file: t.file, options: seek > 0 ? ['-ss', seek.toFixed(3), ...read] : read };
  });
  const parts: string[] = [];
  const video = usable.map((t, i) => ({ t, i })).filter(({ t }) => t.kind === 'video');
  const audio = usable.map((t, i) => ({ t, i })).filter(({ t }) => t.kind === 'audio');
  // One tile per person and kind of picture: the tracks of a rejoin (new peer, same identity)
  // follow each other in the same tile, with the canvas showing through while they were away.
  const keyOf = (t: PlannedTrack) => `${t.identity}:${t.source === 'screen' ? 'screen' : 'camera'}`;
  const keys = [...new Map(video.map(({ t }) => [keyOf(t), { key: keyOf(t), screen: t.source === 'screen' }])).values()];
  const cells = layout(keys, width, height);
  const toWindow = `PTS-${origin.toFixed(6)}/TB`;

  parts.push(`color=c=0x202020:s=${width}x${height}:r=${fps}:d=${d}[base0]`);
  video.forEach(({ t, i }, n) => {
    const cell = cells.get(keyOf(t))!;
    // Each picture brought to the file's rate before it is scaled: no work on frames the file drops (COMP-4).
    const rate = safe ? `,fps=${fps},trim=start=0:end=${d}` : `,fps=${fps}`;
    parts.push(
      `[${i}:v]setpts=${toWindow}${rate},scale=${cell.w}:${cell.h}:force_original_aspect_ratio=decrease,` +
        `pad=${cell.w}:${cell.h}:(ow-iw)/2:(oh-ih)/2,format=yuv420p[v${n}]`,
    );
    parts.push(`[base${n}][v${n}]overlay=x=${cell.x}:y=${cell.y}:eof_action=pass:repeatlast=0[base${n + 1}]`);
  });
  parts.push(`[base${video.length}]format=yuv420p[vout]`);

  // `flags=res`: a resampler from the first sample. Without it ffmpeg 5.1's aresample creates one
  // at its first soft compensation, which resets its output clock to first_pts and then pads the
  // whole time elapsed so far with silence: the voice shifted 20–190 ms late (measured with the
  // sync marker, docs/benchmarks.md).
  audio.forEach(({ i }, n) => {
    parts.push(
      `[${i}:a]asetpts=${toWindow},aresample=48000:async=1000:min_hard_comp=0.05:first_pts=0:flags=res,` +
        `aformat=sample_fmts=fltp:sample_rates=48000:channel_layouts=stereo,atrim=end=${d}[a${n}]`,
    );
  });
  // The bed: silence of the window's exact length, which the mix follows (duration=first).
  parts.push(`anullsrc=r=48000:cl=stereo,atrim=duration=${d}[bed]`);
  parts.push(`[bed]${audio.map((_, n) => `[a${n}]`).join('')}amix=inputs=${audio.length + 1}:duration=first:dropout_transition=0:normalize=0[aout]`);
  return { inputs, filter: parts.join(';'), durationSec, origin };
}

/** From the first packet of any track to the last. */
export function wholeMeeting(tracks: PlannedTrack[]): { from: number; to: number } {
  const usable = tracks.filter((t) => t.end > t.start && Number.isFinite(t.end));
  if (usable.length === 0) throw new Error('no media was captured');
  return { from: Math.min(...usable.map((t) => t.start)), to: Math.max(...usable.map((t) => t.end)) };
}
