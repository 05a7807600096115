import fs from 'node:fs';
import path from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { CAPTIONS_LIMITS, recordingDetailsSchema, recordingLayout, viewableRecordingsSchema, type ViewableRecording } from '@nomades/shared';
import { exitAfterRun } from '../helpers/exitAfterRun.js';
import { admin } from '../helpers/moderationHelpers.js';
import { waitRecordingReady } from '../helpers/recordings.js';
import { startTestServer, type TestServer } from '../helpers/testServer.js';
import { sleep, waitFor } from '../helpers/waitFor.js';
import { WebhookReceiver } from '../helpers/WebhookReceiver.js';
import { WrtcBot } from '../helpers/WrtcBot.js';

/**
 * Captions of recordings (CAP-1…6 in docs/spec/sharing.md) on a real recording (a WebRTC bot, the
 * recorder, ffmpeg, redis-server): the admin and a host put WebVTT and SRT; bad files are refused
 * with their reason and leave the captions as they were; a participant, an attendee and the watch
 * link may not write, the watch link reads; the watch list carries captionsUrl; every change is a
 * `recording.captions.updated` webhook; deleting the recording deletes its captions.
 */
const SECRET = 'captions-webhook-secret';
type Ctx = { srv?: TestServer; receiver: WebhookReceiver; bots: WrtcBot[]; roomId?: string; rec?: { id: string; durationMs: number } };
const captions = suite<Ctx>('captions of recordings', { receiver: new WebhookReceiver(SECRET), bots: [] });

captions.before(async (ctx) => {
  ctx.srv = await startTestServer({ WEBHOOK_URL: await ctx.receiver.listen(), WEBHOOK_SECRET: SECRET }, { recording: {} });
  const srv = ctx.srv;
  ({ id: ctx.roomId } = await srv.createRoom({ name: 'Conseil sous-titré', record: true }));
  const bot = new WrtcBot('Speaker');
  ctx.bots.push(bot);
  await bot.join(srv.url, ctx.roomId, await srv.mintToken(ctx.roomId, 'Speaker'));
  await sleep(3000); // a few seconds of media to compose
  await bot.leave();
  const ready = await waitRecordingReady(srv, ctx.roomId, 90_000);
  ctx.rec = { id: ready.id, durationMs: ready.durationMs };
  assert.ok(ready.durationMs > 2000, `a recording of a few seconds: ${ready.durationMs} ms`);
});
captions.after(async (ctx) => {
  for (const b of ctx.bots) b.close();
  await ctx.srv?.close();
  await ctx.receiver.close();
});

const VTT = 'WEBVTT\n\n00:00:00.500 --> 00:00:01.500\nBonjour à toutes et à tous\n\n00:00:01.600 --> 00:00:02.000\nQuestions &amp; réponses\n';
const SRT = '1\r\n00:00:00,200 --> 00:00:01,000\r\nPremier <i>sous-titre</i> & co\r\n\r\n2\r\n00:00:01,100 --> 00:00:01,800\r\nDeuxième\r\n\r\n3\r\n00:00:01,900 --> 00:00:02,000\r\nTroisième\r\n';
const SRT_AS_VTT = 'WEBVTT\n\n1\n00:00:00.200 --> 00:00:01.000\nPremier <i>sous-titre</i> &amp; co\n\n2\n00:00:01.100 --> 00:00:01.800\nDeuxième\n\n3\n00:00:01.900 --> 00:00:02.000\nTroisième\n';

/** PUT …/captions with a bearer (admin key or room token) and a body of a media type. */
async function put(srv: TestServer, id: string, body: string | Uint8Array, type = 'text/vtt', bearer: string | null = srv.adminKey, query = '') {
  const res = await fetch(`${srv.url}/api/recordings/${id}/captions${query}`, {
    method: 'PUT',
    headers: { 'content-type': type, ...(bearer ? { authorization: `Bearer ${bearer}` } : {}) },
    body,
  });
  const json = (await res.json().catch(() => null)) as any;
  return { status: res.status, code: json?.error?.code ?? 'ok', params: json?.error?.params, json };
}
async function stored(srv: TestServer, id: string, query = '', bearer: string | null = srv.adminKey) {
  const res = await fetch(`${srv.url}/api/recordings/${id}/captions.vtt${query}`, { headers: bearer ? { authorization: `Bearer ${bearer}` } : {} });
  return { status: res.status, type: res.headers.get('content-type'), text: await res.text() };
}
async function watchList(srv: TestServer, roomId: string, bearer: string): Promise<ViewableRecording[]> {
  const res = await fetch(`${srv.url}/api/rooms/${roomId}/recordings/watch`, { headers: { authorization: `Bearer ${bearer}` } });
  assert.is(res.status, 200);
  return viewableRecordingsSchema.parse(await res.json()).recordings;
}
const captionHooks = (ctx: Ctx) => ctx.receiver.deliveries.filter((d) => d.type === 'recording.captions.updated');

captions('CAP-1…6: the admin puts WebVTT; the file is stored 0600 as sent, served as text/vtt, counted in the admin view, and a webhook says so', async (ctx) => {
  const srv = ctx.srv!;
  const id = ctx.rec!.id;
  assert.equal((await admin(srv, 'GET', `/api/recordings/${id}`)).json.captions, null, 'none at first');
  assert.is((await stored(srv, id)).status, 404);

  const answer = await put(srv, id, VTT);
  assert.is(answer.status, 200, JSON.stringify(answer.json));
  assert.is(answer.json.cues, 2);
  const file = recordingLayout.captions(srv.server.config.recordingsDir, id);
  assert.is(fs.readFileSync(file, 'utf8'), VTT);
  assert.is(fs.statSync(file).mode & 0o777, 0o600, 'FILE-1');
  const served = await stored(srv, id);
  assert.equal([served.status, served.type, served.text], [200, 'text/vtt; charset=utf-8', VTT]);

  const details = (await admin(srv, 'GET', `/api/recordings/${id}`)).json;
  assert.ok(recordingDetailsSchema.safeParse(details).success, 'the shared schema');
  assert.equal(details.captions, { cues: 2, updatedAt: answer.json.updatedAt });
  const [listed] = (await admin(srv, 'GET', `/api/rooms/${ctx.roomId}/recordings`)).json;
  assert.equal(listed.captions, details.captions, 'the listing says the same');

  const hook = await waitFor('recording.captions.updated', () => captionHooks(ctx).at(-1));
  assert.equal(hook.data, { roomId: ctx.roomId, recordingId: id, cues: 2, updatedAt: answer.json.updatedAt, by: 'admin' });
});

captions('CAP-1, CAP-2: a host puts SRT, stored as WebVTT; the webhook says by host', async (ctx) => {
  const srv = ctx.srv!;
  const id = ctx.rec!.id;
  const before = captionHooks(ctx).length;
  const answer = await put(srv, id, SRT, 'application/x-subrip', await srv.mintToken(ctx.roomId!, 'Hôte', 'host'));
  assert.equal([answer.status, answer.json.cues], [200, 3], JSON.stringify(answer.json));
  assert.is((await stored(srv, id)).text, SRT_AS_VTT);
  const hook = await waitFor('a second webhook', () => captionHooks(ctx)[before]);
  assert.equal(hook.data, { roomId: ctx.roomId, recordingId: id, cues: 3, updatedAt: answer.json.updatedAt, by: 'host' });
});

captions('CAP-2: bad files are refused with their code and reason, and the captions stay as they were (no stray file)', async (ctx) => {
  const srv = ctx.srv!;
  const id = ctx.rec!.id;
  const end = ctx.rec!.durationMs;
  const hooks = captionHooks(ctx).length;
  const cases: Array<[string, string | Uint8Array, string, number, string, Record<string, unknown>]> = [
    ['a syntax error', 'WEBVTT\n\n00:00:00.500 --> 00:00:0x.500\nA\n', 'text/vtt', 422, 'CAPTIONS_INVALID', { reason: 'syntax', line: 3 }],
    ['cues out of order', 'WEBVTT\n\n00:00:01.000 --> 00:00:01.500\nB\n\n00:00:00.100 --> 00:00:00.500\nA\n', 'text/vtt', 422, 'CAPTIONS_INVALID', { reason: 'order', line: 6 }],
    ['past the end', `WEBVTT\n\n00:00:00.500 --> 00:10:00.000\nA\n`, 'text/vtt', 422, 'CAPTIONS_INVALID', { reason: 'pastEnd', cue: 1, endMs: 600_000, durationMs: end }],
    ['no cue', 'WEBVTT\n', 'text/vtt', 422, 'CAPTIONS_INVALID', { reason: 'empty' }],
    ['an empty body', '', 'text/vtt', 422, 'CAPTIONS_INVALID', { reason: 'format' }],
    ['SRT sent as WebVTT', SRT, 'text/vtt', 422, 'CAPTIONS_INVALID', { reason: 'format' }],
    ['not UTF-8', new Uint8Array([...new TextEncoder().encode('WEBVTT\n\n00:00:00.500 --> 00:00:01.000\n'), 0xe9, 0x0a]), 'text/vtt', 422, 'CAPTIONS_INVALID', { reason: 'encoding' }],
    ['too large', `WEBVTT\n\nNOTE ${'x'.repeat(CAPTIONS_LIMITS.maxBytes)}\n`, 'text/vtt', 413, 'PAYLOAD_TOO_LARGE', { maxBytes: CAPTIONS_LIMITS.maxBytes }],
    ['another media type', VTT, 'text/plain', 415, 'UNSUPPORTED_MEDIA_TYPE', { accepted: 'text/vtt, application/x-subrip' }],
  ];
  for (const [what, body, type, status, code, params] of cases) {
    const answer = await put(srv, id, body, type);
    assert.equal([answer.status, answer.code, answer.params], [status, code, params], what);
    assert.is((await stored(srv, id)).text, SRT_AS_VTT, `${what}: the captions are unchanged`);
  }
  assert.equal(fs.readdirSync(path.dirname(recordingLayout.captions(srv.server.config.recordingsDir, id))).filter((f) => f.includes('captions')), ['captions.vtt'], 'no temporary file left');
  await sleep(300);
  assert.is(captionHooks(ctx).length, hooks, 'no webhook for a refusal');
  // A recording that is not ready takes none (CONFLICT).
  const { id: other } = await srv.createRoom({ name: 'Autre conseil' });
  const running = await srv.server.recording.store.create('rec_notreadyyet01', other, new Date().toISOString());
  const conflict = await put(srv, running.id, VTT);
  assert.equal([conflict.status, conflict.code, conflict.params], [409, 'CONFLICT', { status: 'recording' }]);
});

captions('CAP-1, CAP-3: participants, attendees and the watch link may not write; the watch link reads, its own recording only', async (ctx) => {
  const srv = ctx.srv!;
  const id = ctx.rec!.id;
  const roomId = ctx.roomId!;
  // Participants may watch here, not write.
  assert.is((await admin(srv, 'PATCH', `/api/rooms/${roomId}`, { recordingViewers: ['host', 'participant'] })).status, 200);
  const participant = await srv.mintToken(roomId, 'Pat', 'participant');
  const refusal = async (bearer: string | null, query = '') => {
    const a = await put(srv, id, VTT, 'text/vtt', bearer, query);
    return [a.status, a.code, a.params];
  };
  assert.equal(await refusal(participant), [403, 'FORBIDDEN', { role: 'participant' }]);
  assert.equal(await refusal(await srv.mintToken(roomId, 'Ann', 'attendee')), [403, 'FORBIDDEN', { role: 'attendee' }]);
  assert.equal(await refusal(null), [401, 'UNAUTHORIZED', undefined]);
  const { id: otherRoom } = await srv.createRoom({ name: 'Salle voisine' });
  assert.equal((await refusal(await srv.mintToken(otherRoom, 'Hal', 'host')))[1], 'TOKEN_WRONG_ROOM', "another room's host");
  assert.equal((await refusal('not-a-token-nor-the-admin-key'))[1], 'TOKEN_INVALID');

  // The watch link: in the query (even beside a host's token) or as a bearer, it never writes.
  const [listed] = await watchList(srv, roomId, participant);
  assert.ok(listed.captionsUrl, 'CAP-3: the watch list carries captionsUrl');
  const access = new URL(listed.captionsUrl!, srv.url).searchParams.get('access')!;
  assert.is(new URL(listed.url!, srv.url).searchParams.get('access'), access, 'signed as url, with the same credential');
  assert.equal(await refusal(null, `?access=${access}`), [403, 'FORBIDDEN', { reason: 'watchLink' }]);
  assert.equal(await refusal(await srv.mintToken(roomId, 'Hôte', 'host'), `?access=${access}`), [403, 'FORBIDDEN', { reason: 'watchLink' }]);
  assert.equal(await refusal(access), [401, 'TOKEN_INVALID', undefined]);
  const del = await fetch(`${srv.url}/api/recordings/${id}/captions?access=${access}`, { method: 'DELETE' });
  assert.is(del.status, 403);
  assert.is((await stored(srv, id)).text, SRT_AS_VTT, 'nothing changed');

  // It reads: the captions of its recording, as the browser's <track> asks (no header).
  const read = await fetch(new URL(listed.captionsUrl!, srv.url));
  assert.equal([read.status, read.headers.get('content-type'), await read.text()], [200, 'text/vtt; charset=utf-8', SRT_AS_VTT]);
  const now = Math.floor(Date.now() / 1000);
  const elsewhere = await srv.server.tokens.signScoped('nomades-recording+jwt', { rec: 'rec_someotherone1', room: roomId }, now + 600);
  assert.is((await stored(srv, id, `?access=${elsewhere}`, null)).status, 403, "another recording's link");
  assert.is((await stored(srv, id, '', null)).status, 401, 'without a credential');
  assert.is((await admin(srv, 'PATCH', `/api/rooms/${roomId}`, { recordingViewers: ['host'] })).status, 200);
});

captions('CAP-1, CAP-3, CAP-6: a host removes the captions: captionsUrl null, 404, a webhook with cues 0; put again', async (ctx) => {
  const srv = ctx.srv!;
  const id = ctx.rec!.id;
  const host = await srv.mintToken(ctx.roomId!, 'Hôte', 'host');
  const participant = await srv.mintToken(ctx.roomId!, 'Pat', 'participant');
  const del = (bearer: string) => fetch(`${srv.url}/api/recordings/${id}/captions`, { method: 'DELETE', headers: { authorization: `Bearer ${bearer}` } });
  assert.is((await del(participant)).status, 403);
  const before = captionHooks(ctx).length;
  assert.is((await del(host)).status, 204);
  assert.is((await del(host)).status, 404, 'none left');
  assert.is((await stored(srv, id)).status, 404);
  assert.is((await watchList(srv, ctx.roomId!, host))[0].captionsUrl, null);
  assert.is((await admin(srv, 'GET', `/api/recordings/${id}`)).json.captions, null);
  const hook = await waitFor('the removal webhook', () => captionHooks(ctx)[before]);
  assert.equal({ ...hook.data, updatedAt: undefined }, { roomId: ctx.roomId, recordingId: id, cues: 0, updatedAt: undefined, by: 'host' });
  assert.is((await put(srv, id, VTT)).status, 200, 'put again');
  assert.ok((await watchList(srv, ctx.roomId!, host))[0].captionsUrl);
});

captions('CAP-4: deleting the recording deletes its captions', async (ctx) => {
  const srv = ctx.srv!;
  const id = ctx.rec!.id;
  const file = recordingLayout.captions(srv.server.config.recordingsDir, id);
  assert.ok(fs.existsSync(file));
  assert.is((await admin(srv, 'DELETE', `/api/recordings/${id}`)).status, 204);
  assert.not.ok(fs.existsSync(file), 'the captions file is gone');
  assert.not.ok(fs.existsSync(path.dirname(file)), 'with its folder');
  assert.is((await stored(srv, id)).status, 404);
  assert.is((await put(srv, id, VTT)).status, 404);
});

exitAfterRun(captions);
