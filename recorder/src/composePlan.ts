import type { MediaSource } from '@nomades/shared';

export interface PlannedTrack {
  file: string;
  kind: 'audio' | 'video';
  source: MediaSource;
  peerId: string;
  /** The person: a full rejoin brings a new peerId but the same identity, hence the same tile. */
  identity: string;
  /** Absolute first and last timestamps (seconds, wall clock). */
  start: number;
  end: number;
}

export interface ComposePlan {
  inputs: string[];
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

/**
 * The filter graph of the composed file. Every track is placed on one timeline by its absolute
 * first timestamp (`origin` = the earliest): video segments are overlaid on a black canvas from
 * their offset on (and leave when they end), audio segments are resampled against their own
 * timestamps (gaps such as DTX silence filled; drift between the sender's audio clock and the
 * wall clock compensated softly, and by inserting or dropping samples beyond 50 ms), delayed to
 * their offset and mixed without normalization. Audio thus never strays more than ~50 ms from
 * the wall-clock timeline the video frames are placed on.
 */
export function composePlan(tracks: PlannedTrack[], width = 1280, height = 720): ComposePlan {
  const usable = tracks.filter((t) => t.end > t.start);
  if (usable.length === 0) throw new Error('no media was captured');
  const origin = Math.min(...usable.map((t) => t.start));
  const durationSec = Math.max(...usable.map((t) => t.end)) - origin;
  const inputs = usable.map((t) => t.file);
  const parts: string[] = [];
  const video = usable.map((t, i) => ({ t, i })).filter(({ t }) => t.kind === 'video');
  const audio = usable.map((t, i) => ({ t, i })).filter(({ t }) => t.kind === 'audio');
  // One tile per person and kind of picture: the tracks of a rejoin (new peer, same identity)
  // follow each other in the same tile, with the canvas showing through while they were away.
  const keyOf = (t: PlannedTrack) => `${t.identity}:${t.source === 'screen' ? 'screen' : 'camera'}`;
  const keys = [...new Map(video.map(({ t }) => [keyOf(t), { key: keyOf(t), screen: t.source === 'screen' }])).values()];
  const cells = layout(keys, width, height);

  parts.push(`color=c=0x202020:s=${width}x${height}:r=25:d=${durationSec.toFixed(3)}[base0]`);
  video.forEach(({ t, i }, n) => {
    const cell = cells.get(keyOf(t))!;
    const offset = (t.start - origin).toFixed(3);
    parts.push(
      `[${i}:v]setpts=PTS-STARTPTS+${offset}/TB,scale=${cell.w}:${cell.h}:force_original_aspect_ratio=decrease,` +
        `pad=${cell.w}:${cell.h}:(ow-iw)/2:(oh-ih)/2,format=yuv420p[v${n}]`,
    );
    parts.push(`[base${n}][v${n}]overlay=x=${cell.x}:y=${cell.y}:eof_action=pass:repeatlast=0[base${n + 1}]`);
  });
  parts.push(`[base${video.length}]format=yuv420p[vout]`);

  // `flags=res`: a resampler from the first sample. Without it ffmpeg 5.1's aresample creates one
  // at its first soft compensation, which resets its output clock to first_pts and then pads the
  // whole time elapsed so far with silence: the voice shifted 20–190 ms late (measured with the
  // sync marker, docs/benchmarks.md).
  audio.forEach(({ t, i }, n) => {
    const delayMs = Math.round((t.start - origin) * 1000);
    parts.push(
      `[${i}:a]asetpts=PTS-STARTPTS,aresample=48000:async=1000:min_hard_comp=0.05:first_pts=0:flags=res,` +
        `aformat=sample_rates=48000:channel_layouts=stereo,adelay=delays=${delayMs}:all=1[a${n}]`,
    );
  });
  if (audio.length === 0) parts.push(`anullsrc=r=48000:cl=stereo,atrim=duration=${durationSec.toFixed(3)}[aout]`);
  else if (audio.length === 1) parts.push(`[a0]apad[aout]`);
  else parts.push(`${audio.map((_, n) => `[a${n}]`).join('')}amix=inputs=${audio.length}:duration=longest:dropout_transition=0:normalize=0,apad[aout]`);
  return { inputs, filter: parts.join(';'), durationSec, origin };
}
