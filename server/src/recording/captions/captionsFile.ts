import webvtt from 'webvtt-parser';
import { AppError, CAPTIONS_LIMITS, type CaptionsFormat, type CaptionsRefusal } from '@nomades/shared';

/**
 * CAP-2: a captions file as it is put, checked and made the WebVTT that is stored.
 *
 * Parsing and validation are the W3C's WebVTT parser (`webvtt-parser`, the one behind the W3C
 * validator: signature, timestamps, cue settings, cue text markup and escapes, start times in
 * order, end after start). Of the SRT libraries looked at, none refuses a broken file (`subtitle`
 * takes stray lines as cue text and writes WebVTT with unescaped `&` and `<font>`;
 * `@plussub/srt-vtt-parser` throws a TypeError; `media-captions` drops bad cues silently), so an SRT
 * file is turned into WebVTT line for line here (header, `,` → `.` in timings, text escaped) and
 * that goes through the same parser. What is written here is the product's rules: the limits,
 * the order, the recording's end, and which refusal says what.
 */
const { WebVTTParser } = webvtt;

/** webvtt-parser 2.2.0's words for a cue that starts before the one above it (pinned version; tests/unit/captions.test.ts). */
const OUT_OF_ORDER = 'Start timestamp is not greater than or equal to start timestamp of previous cue.';
/** The WebVTT signature line: `WEBVTT`, alone or followed by a space or tab and a title. */
const SIGNATURE = /^WEBVTT(?:[ \t].*)?$/;
/** An SRT timing line: `00:01:02,345 --> 00:01:04,000`, maybe with SRT's position (`X1:…`), which WebVTT has not. */
const SRT_TIMING = /^\s*(\d{1,3}):(\d{2}):(\d{2})[,.](\d{3})\s*-->\s*(\d{1,3}):(\d{2}):(\d{2})[,.](\d{3})(?:\s.*)?$/;
/** SRT's markup: `<i> <b> <u>` are WebVTT's too; `<font …>` has no WebVTT equivalent and is dropped. */
const SRT_TAG = /<(\/?)([biu]|font)(?:\s[^>]*)?>/gi;
/** The header an SRT file gets: its line N is line N + 2 of the WebVTT made from it. */
const SRT_HEADER = 'WEBVTT\n\n';

export interface CheckedCaptions {
  /** The WebVTT to store (UTF-8, `\n` line ends, no byte-order mark). */
  vtt: string;
  cues: number;
}

/**
 * Checks a file put as captions of a recording of `durationMs` and returns the WebVTT to store;
 * throws AppError `PAYLOAD_TOO_LARGE { maxBytes }` or `CAPTIONS_INVALID { reason, … }` (CAP-2).
 */
export function checkCaptions(body: Uint8Array, format: CaptionsFormat, durationMs: number, limits: { maxBytes: number; maxCues: number } = CAPTIONS_LIMITS): CheckedCaptions {
  if (body.byteLength > limits.maxBytes) {
    throw new AppError('PAYLOAD_TOO_LARGE', `the captions file is larger than ${limits.maxBytes} bytes`, { maxBytes: limits.maxBytes });
  }
  let text: string;
  try {
    // `ignoreBOM: false`: a byte-order mark is taken off, not kept as text.
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(body);
  } catch {
    throw refusal('encoding', 'the captions file is not UTF-8 text');
  }
  const lines = text.split(/\r\n|\r|\n/);
  let vtt: string;
  let lineShift = 0;
  if (format === 'vtt') {
    if (!SIGNATURE.test(lines[0] ?? '')) throw refusal('format', 'not a WebVTT file: its first line must be WEBVTT');
    vtt = lines.join('\n');
  } else {
    vtt = srtToVtt(lines);
    lineShift = -2;
  }
  if (!vtt.endsWith('\n')) vtt += '\n';

  const parsed = new WebVTTParser().parse(vtt, 'captions');
  const first = [...parsed.errors].sort((a, b) => a.line - b.line)[0];
  if (first) {
    const line = Math.max(1, first.line + lineShift);
    if (first.message === OUT_OF_ORDER) throw refusal('order', `line ${line}: a cue starts before the one above it`, { line });
    throw refusal('syntax', `line ${line}: ${first.message}`, { line });
  }
  const cues = parsed.cues;
  if (cues.length === 0) throw refusal('empty', 'the captions file has no cue');
  if (cues.length > limits.maxCues) throw refusal('tooManyCues', `more than ${limits.maxCues} cues`, { max: limits.maxCues });
  // The parser sorts cues by start time; they were in that order already (else OUT_OF_ORDER above).
  cues.forEach((cue, i) => {
    const endMs = Math.round(cue.endTime * 1000);
    if (endMs > durationMs) {
      throw refusal('pastEnd', `cue ${i + 1} ends at ${endMs} ms, after the end of the recording (${durationMs} ms)`, { cue: i + 1, endMs, durationMs });
    }
  });
  return { vtt, cues: cues.length };
}

/** How many cues a stored (already checked) WebVTT file holds. */
export function countCues(vtt: string): number {
  return new WebVTTParser().parse(vtt, 'metadata').cues.length;
}

function refusal(reason: CaptionsRefusal, message: string, params: Record<string, number> = {}): AppError {
  return new AppError('CAPTIONS_INVALID', `captions refused: ${message}`, { reason, ...params });
}

/**
 * SRT → WebVTT, one line for one line after the two-line header (so that the parser's line numbers
 * say where the SRT file is wrong): a block's number stays as the cue's identifier, its timing
 * line gets WebVTT's `.` before the milliseconds (and loses SRT's position), its text is escaped.
 * Anything that is no SRT stays as it is, for the WebVTT parser to refuse with its line.
 */
function srtToVtt(lines: string[]): string {
  if (!lines.some((line) => SRT_TIMING.test(line))) throw refusal('format', 'not an SRT file: no timing line (00:00:01,000 --> 00:00:02,000)');
  const out: string[] = [];
  let inCue = false;
  for (const raw of lines) {
    const line = raw.trim() === '' ? '' : raw;
    const timing = SRT_TIMING.exec(line);
    if (line === '') inCue = false;
    else if (timing) {
      const [, h1, m1, s1, ms1, h2, m2, s2, ms2] = timing;
      out.push(`${h1!.padStart(2, '0')}:${m1}:${s1}.${ms1} --> ${h2!.padStart(2, '0')}:${m2}:${s2}.${ms2}`);
      inCue = true;
      continue;
    }
    out.push(inCue ? escapeSrtText(line) : line);
  }
  return SRT_HEADER + out.join('\n');
}

function escapeSrtText(line: string): string {
  let out = '';
  let last = 0;
  for (const tag of line.matchAll(SRT_TAG)) {
    out += escapeText(line.slice(last, tag.index));
    const name = tag[2]!.toLowerCase();
    if (name !== 'font') out += `<${tag[1]}${name}>`;
    last = tag.index! + tag[0].length;
  }
  return out + escapeText(line.slice(last));
}

const escapeText = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
