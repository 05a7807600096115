import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { AppError, CAPTIONS_LIMITS, serializeVtt, type CaptionsFormat } from '@nomades/shared';
import { formatCaptionTime, parseCaptionTime } from '../../client/src/ui/captionTime.js';
import { loadCaptionDraftEngine } from '../../server/src/recording/captions/CaptionDraftEngine.js';
import { checkCaptions, countCues } from '../../server/src/recording/captions/captionsFile.js';

/**
 * CAP-2 in docs/spec/sharing.md: a captions file is checked whole (the W3C WebVTT parser, then the
 * product's limits) and refused with a stable code and parameters; SRT becomes WebVTT. CAP-7: the
 * draft engine's configuration accepts `none` only.
 */
const DURATION = 60_000;
const bytes = (text: string) => new TextEncoder().encode(text);
const check = (text: string | Uint8Array, format: CaptionsFormat = 'vtt', durationMs = DURATION, limits?: { maxBytes: number; maxCues: number }) =>
  checkCaptions(typeof text === 'string' ? bytes(text) : text, format, durationMs, limits);

/** The refusal as `code reason params`, or 'accepted'. */
function refusal(run: () => unknown): { code: string; params: Record<string, unknown> } | 'accepted' {
  try {
    run();
    return 'accepted';
  } catch (error) {
    if (!(error instanceof AppError)) throw error;
    return { code: error.code, params: { ...error.params } };
  }
}

const VTT = 'WEBVTT\n\n00:00:01.000 --> 00:00:02.500\nBonjour à tous\n\n00:00:03.000 --> 00:00:04.000 align:start\n<v Ada>Questions &amp; réponses</v>\n';

test('CAP-2: a valid WebVTT file is accepted as it is (title, NOTE, cue settings, voice), with its cue count', () => {
  const file = `WEBVTT - Conseil\n\nNOTE relu par le service\n\n${VTT.slice('WEBVTT\n\n'.length)}`;
  const checked = check(file);
  assert.is(checked.cues, 2);
  assert.is(checked.vtt, file);
  assert.is(countCues(checked.vtt), 2);
  // CRLF line ends and a byte-order mark are taken off.
  const windows = check(new Uint8Array([0xef, 0xbb, 0xbf, ...bytes(VTT.replace(/\n/g, '\r\n'))]));
  assert.is(windows.vtt, VTT);
});

test('CAP-2: an SRT file becomes WebVTT: header, "." before the milliseconds, text escaped, <font> dropped', () => {
  const srt = '1\r\n00:00:01,000 --> 00:00:02,500\r\nBonjour & <i>bienvenue</i>\r\n<font color="#ff0">au conseil</font> a < b\r\n\r\n2\r\n00:00:03,000 --> 00:00:04,000 X1:10 X2:20 Y1:30 Y2:40\r\nSalut\r\n';
  const checked = check(srt, 'srt');
  assert.is(checked.cues, 2);
  assert.is(
    checked.vtt,
    'WEBVTT\n\n1\n00:00:01.000 --> 00:00:02.500\nBonjour &amp; <i>bienvenue</i>\nau conseil a &lt; b\n\n2\n00:00:03.000 --> 00:00:04.000\nSalut\n',
  );
  // What the editor of the web client sends is accepted as it is.
  const written = serializeVtt([
    { startMs: 500, endMs: 1500, text: 'Premier <sous-titre> & co' },
    { startMs: 2000, endMs: 3250, text: 'Deuxième\n\nligne' },
  ]);
  assert.is(written, 'WEBVTT\n\n00:00:00.500 --> 00:00:01.500\nPremier &lt;sous-titre&gt; &amp; co\n\n00:00:02.000 --> 00:00:03.250\nDeuxième\nligne\n');
  assert.is(check(written).cues, 2);
});

test('CAP-2: not WebVTT, not SRT, not UTF-8: CAPTIONS_INVALID format / encoding', () => {
  assert.equal(refusal(() => check('1\n00:00:01,000 --> 00:00:02,000\nSRT sent as WebVTT\n')), { code: 'CAPTIONS_INVALID', params: { reason: 'format' } });
  assert.equal(refusal(() => check('WEBVTTX\n\n00:00:01.000 --> 00:00:02.000\nA\n')), { code: 'CAPTIONS_INVALID', params: { reason: 'format' } });
  assert.equal(refusal(() => check('{"cues": []}', 'srt')), { code: 'CAPTIONS_INVALID', params: { reason: 'format' } });
  assert.equal(refusal(() => check(new Uint8Array([...bytes('WEBVTT\n\n00:00:01.000 --> 00:00:02.000\n'), 0xe9, 0x74, 0xe9, 0x0a]))), {
    code: 'CAPTIONS_INVALID',
    params: { reason: 'encoding' },
  });
});

test('CAP-2: a syntax error is refused with the line of the file as sent (SRT lines too)', () => {
  assert.equal(refusal(() => check('WEBVTT\n\n00:00:01.000 --> 00:00:0x.500\nBonjour\n')), { code: 'CAPTIONS_INVALID', params: { reason: 'syntax', line: 3 } });
  assert.equal(refusal(() => check('WEBVTT\n\n00:00:03.000 --> 00:00:02.000\nends before it starts\n')), { code: 'CAPTIONS_INVALID', params: { reason: 'syntax', line: 3 } });
  // A stray line in an SRT file (line 6), which the lenient SRT libraries take as text.
  assert.equal(refusal(() => check('1\n00:00:01,000 --> 00:00:02,500\nBonjour\n\n2\nnonsense\nfoo\n', 'srt')), {
    code: 'CAPTIONS_INVALID',
    params: { reason: 'syntax', line: 6 },
  });
});

test('CAP-2: cues out of order are refused (reason order, the line of the late cue)', () => {
  const file = 'WEBVTT\n\n00:00:05.000 --> 00:00:06.000\nB\n\n00:00:01.000 --> 00:00:02.000\nA\n';
  assert.equal(refusal(() => check(file)), { code: 'CAPTIONS_INVALID', params: { reason: 'order', line: 6 } });
  const srt = '1\n00:00:05,000 --> 00:00:06,000\nB\n\n2\n00:00:01,000 --> 00:00:02,000\nA\n';
  assert.equal(refusal(() => check(srt, 'srt')), { code: 'CAPTIONS_INVALID', params: { reason: 'order', line: 6 } });
  // Overlapping cues that start in order are fine (two people speaking at once).
  assert.is(check('WEBVTT\n\n00:00:01.000 --> 00:00:05.000\nA\n\n00:00:02.000 --> 00:00:03.000\nB\n').cues, 2);
});

test('CAP-2: a cue ending after the recording is refused (pastEnd, with the cue and the times)', () => {
  const file = 'WEBVTT\n\n00:00:01.000 --> 00:00:02.000\nA\n\n00:00:59.000 --> 00:01:00.001\nB\n';
  assert.equal(refusal(() => check(file)), { code: 'CAPTIONS_INVALID', params: { reason: 'pastEnd', cue: 2, endMs: 60_001, durationMs: 60_000 } });
  assert.is(check(file, 'vtt', 60_001).cues, 2, 'ending exactly at the end is fine');
});

test('CAP-2: empty files and files without a cue are refused (empty)', () => {
  assert.equal(refusal(() => check('WEBVTT\n')), { code: 'CAPTIONS_INVALID', params: { reason: 'empty' } });
  assert.equal(refusal(() => check('WEBVTT\n\nNOTE nothing yet\n')), { code: 'CAPTIONS_INVALID', params: { reason: 'empty' } });
  assert.equal(refusal(() => check('')), { code: 'CAPTIONS_INVALID', params: { reason: 'format' } }, 'no signature at all');
  assert.equal(refusal(() => check('', 'srt')), { code: 'CAPTIONS_INVALID', params: { reason: 'format' } });
});

test('CAP-2: too large (PAYLOAD_TOO_LARGE { maxBytes }) and too many cues (tooManyCues { max }), at the limits', () => {
  assert.is(CAPTIONS_LIMITS.maxBytes, 512 * 1024);
  assert.is(CAPTIONS_LIMITS.maxCues, 5000);
  const cues = (n: number) => serializeVtt(Array.from({ length: n }, (_, i) => ({ startMs: i * 10, endMs: i * 10 + 10, text: 'x' })));
  assert.is(check(cues(5000), 'vtt', 3_600_000).cues, 5000, 'the limit itself');
  assert.equal(refusal(() => check(cues(5001), 'vtt', 3_600_000)), { code: 'CAPTIONS_INVALID', params: { reason: 'tooManyCues', max: 5000 } });
  const padded = `WEBVTT\n\nNOTE ${'x'.repeat(CAPTIONS_LIMITS.maxBytes)}\n\n00:00:01.000 --> 00:00:02.000\nA\n`;
  assert.equal(refusal(() => check(padded)), { code: 'PAYLOAD_TOO_LARGE', params: { maxBytes: CAPTIONS_LIMITS.maxBytes } });
  // Smaller limits apply the same way (the service's limits are these arguments' defaults).
  assert.equal(refusal(() => check(VTT, 'vtt', DURATION, { maxBytes: 10, maxCues: 5000 })), { code: 'PAYLOAD_TOO_LARGE', params: { maxBytes: 10 } });
  assert.equal(refusal(() => check(VTT, 'vtt', DURATION, { maxBytes: 1000, maxCues: 1 })), { code: 'CAPTIONS_INVALID', params: { reason: 'tooManyCues', max: 1 } });
});

test('CAP-8: the editor reads times as typed ([[h:]m:]s[.mmm]) and writes them as WebVTT does', () => {
  for (const typed of ['00:01:05.250', '1:05.25', '65,25', '65.250', '0:1:05.25']) assert.is(parseCaptionTime(typed), 65_250, typed);
  assert.is(parseCaptionTime('2:00:00'), 7_200_000);
  for (const bad of ['', 'abc', '1:60', '1:60:00', '1:2:3:4', '1.5.2', '-1', '1:', '5.1234']) assert.is(parseCaptionTime(bad), null, bad);
  assert.is(formatCaptionTime(65_250), '00:01:05.250');
  assert.is(formatCaptionTime(7_200_000 + 1), '02:00:00.001');
});

test('CAP-7: CAPTIONS_DRAFT_ENGINE is none by default and accepts nothing else today', () => {
  assert.is(loadCaptionDraftEngine({}), null);
  assert.is(loadCaptionDraftEngine({ CAPTIONS_DRAFT_ENGINE: 'none' }), null);
  assert.throws(() => loadCaptionDraftEngine({ CAPTIONS_DRAFT_ENGINE: 'whisper' }), /CAPTIONS_DRAFT_ENGINE/);
});

test.run();
