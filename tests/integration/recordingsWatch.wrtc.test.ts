import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { viewableRecordingsSchema, type ViewableRecording } from '@nomades/shared';
import { exitAfterRun } from '../helpers/exitAfterRun.js';
import { admin } from '../helpers/moderationHelpers.js';
import { waitRecordingReady } from '../helpers/recordings.js';
import { startTestServer, type TestServer } from '../helpers/testServer.js';
import { sleep } from '../helpers/waitFor.js';
import { WrtcBot } from '../helpers/WrtcBot.js';

/**
 * Recordings for people (issue 14, REC-V1…3 in docs/spec/sharing.md): with a room token whose
 * live role is among the room's recordingViewers, the room's recordings with a signed address per
 * ready file, which plays with HTTP ranges and opens only that file; others are refused. A real
 * recording (WebRTC bot, recorder, ffmpeg).
 */
type Ctx = { srv?: TestServer; bots: WrtcBot[]; roomId?: string; ready?: string };
const watch = suite<Ctx>('recordings for people', { bots: [] });

watch.before(async (ctx) => {
  ctx.srv = await startTestServer({}, { recording: {} });
  const srv = ctx.srv;
  ({ id: ctx.roomId } = await srv.createRoom({ name: 'Conseil enregistré', record: true, recordingViewers: ['host', 'participant'] }));
  const bot = new WrtcBot('Speaker');
  ctx.bots.push(bot);
  await bot.join(srv.url, ctx.roomId, await srv.mintToken(ctx.roomId, 'Speaker'));
  await sleep(3000); // a few seconds of media to compose
  await bot.leave();
  ctx.ready = (await waitRecordingReady(srv, ctx.roomId, 90_000)).id;
});
watch.after(async (ctx) => {
  for (const b of ctx.bots) b.close();
  await ctx.srv?.close();
});

async function list(srv: TestServer, roomId: string, bearer?: string) {
  const res = await fetch(`${srv.url}/api/rooms/${roomId}/recordings/watch`, { headers: bearer ? { authorization: `Bearer ${bearer}` } : {} });
  const json = (await res.json()) as any;
  return { status: res.status, code: json?.error?.code ?? 'ok', params: json?.error?.params, json };
}
const codeOf = async (res: Response) => `${res.status} ${((await res.json()) as { error: { code: string } }).error.code}`;

watch('REC-V1, REC-V2: a host and a participant get the ready recording with a signed address that plays with ranges', async (ctx) => {
  const srv = ctx.srv!;
  const roomId = ctx.roomId!;
  const adminView = (await admin(srv, 'GET', `/api/recordings/${ctx.ready}`)).json;
  for (const role of ['host', 'participant']) {
    const answer = await list(srv, roomId, await srv.mintToken(roomId, `A ${role}`, role));
    assert.is(answer.status, 200, `${role}: ${JSON.stringify(answer.json)}`);
    assert.ok(viewableRecordingsSchema.safeParse(answer.json).success, 'the shared schema');
    const [one] = answer.json.recordings as ViewableRecording[];
    assert.equal(
      { ...one, url: undefined, urlExpiresAt: undefined },
      { id: ctx.ready, status: 'ready', startedAt: adminView.startedAt, endedAt: adminView.endedAt, durationMs: adminView.durationMs, sizeBytes: adminView.sizeBytes, url: undefined, urlExpiresAt: undefined, captionsUrl: null },
    );
    assert.ok(one.url!.startsWith(`/api/recordings/${ctx.ready}/file?access=`), one.url!);
    const left = Date.parse(one.urlExpiresAt!) - Date.now();
    assert.ok(left > 3500_000 && left <= 3600_000, `valid an hour: ${left} ms`);

    // As <video src> does it: no header but the range; as a download: the whole file.
    const part = await fetch(`${srv.url}${one.url}`, { headers: { range: 'bytes=100-199' } });
    assert.is(part.status, 206);
    assert.is(part.headers.get('content-range'), `bytes 100-199/${adminView.sizeBytes}`);
    assert.is((await part.arrayBuffer()).byteLength, 100);
    const whole = await fetch(`${srv.url}${one.url}`);
    assert.equal([whole.status, whole.headers.get('content-type'), whole.headers.get('accept-ranges')], [200, 'video/mp4', 'bytes']);
    assert.match(whole.headers.get('content-disposition') ?? '', /^attachment; filename="?[A-Za-z0-9-]+\.mp4"?$/, String(whole.headers.get('content-disposition')));
    const bytes = new Uint8Array(await whole.arrayBuffer());
    assert.is(bytes.byteLength, adminView.sizeBytes);
    assert.is(Buffer.from(bytes.subarray(4, 8)).toString('latin1'), 'ftyp', 'an MP4 file');
  }
});

watch('REC-V1: a role outside recordingViewers, or a room that keeps them to hosts, is refused 403 FORBIDDEN; so are bad credentials', async (ctx) => {
  const srv = ctx.srv!;
  const roomId = ctx.roomId!;
  const attendee = await list(srv, roomId, await srv.mintToken(roomId, 'Ann', 'attendee'));
  assert.equal([attendee.status, attendee.code, attendee.params], [403, 'FORBIDDEN', { role: 'attendee' }]);
  // The setting follows the room: narrowed to hosts, a participant is refused.
  assert.is((await admin(srv, 'PATCH', `/api/rooms/${roomId}`, { recordingViewers: ['host'] })).status, 200);
  try {
    assert.is((await list(srv, roomId, await srv.mintToken(roomId, 'Pat', 'participant'))).code, 'FORBIDDEN');
    assert.is((await list(srv, roomId, await srv.mintToken(roomId, 'Hal', 'host'))).status, 200);
  } finally {
    await admin(srv, 'PATCH', `/api/rooms/${roomId}`, { recordingViewers: ['host', 'participant'] });
  }
  assert.equal([(await list(srv, roomId)).status, (await list(srv, roomId)).code], [401, 'TOKEN_MISSING']);
  assert.is((await list(srv, roomId, srv.adminKey)).code, 'TOKEN_INVALID', 'the admin key is not a room token');
  const { id: other } = await srv.createRoom({ name: 'Autre salle' });
  assert.is((await list(srv, roomId, await srv.mintToken(other, 'Hal', 'host'))).code, 'TOKEN_WRONG_ROOM');
  assert.is((await list(srv, 'no-such-room', await srv.mintToken(roomId, 'Hal', 'host'))).code, 'ROOM_NOT_FOUND');
});

watch('REC-V2: a signed address opens its own file only, for its time only; a room token is no such address', async (ctx) => {
  const srv = ctx.srv!;
  const roomId = ctx.roomId!;
  const tokens = srv.server.tokens;
  const file = (access: string) => fetch(`${srv.url}/api/recordings/${ctx.ready}/file?access=${encodeURIComponent(access)}`);
  const now = Math.floor(Date.now() / 1000);
  assert.is(await codeOf(await file(await tokens.signScoped('nomades-recording+jwt', { rec: 'rec_someotherone1', room: roomId }, now + 600))), '403 FORBIDDEN');
  assert.is(await codeOf(await file(await tokens.signScoped('nomades-recording+jwt', { rec: ctx.ready, room: roomId }, now - 10, now - 3600))), '401 TOKEN_EXPIRED');
  assert.is(await codeOf(await file(await srv.mintToken(roomId, 'Hal', 'host'))), '401 TOKEN_INVALID', 'a room token');
  assert.is(await codeOf(await file(await tokens.signScoped('nomades-invite+jwt', { rec: ctx.ready, room: roomId, jti: 'x' }, now + 600))), '401 TOKEN_INVALID', 'another kind');
  assert.is(await codeOf(await file('garbage')), '401 TOKEN_INVALID');
  // It opens nothing else: not the recording's metadata, not the delete.
  const { url } = ((await list(srv, roomId, await srv.mintToken(roomId, 'Hal', 'host'))).json.recordings as ViewableRecording[])[0];
  const access = new URL(url!, srv.url).searchParams.get('access')!;
  assert.is((await fetch(`${srv.url}/api/recordings/${ctx.ready}?access=${access}`)).status, 401);
  assert.is((await fetch(`${srv.url}/api/recordings/${ctx.ready}?access=${access}`, { method: 'DELETE' })).status, 401);
  assert.is((await admin(srv, 'GET', `/api/recordings/${ctx.ready}`)).status, 200, 'still there');
  // Without ?access= the file still needs the admin key.
  assert.is((await fetch(`${srv.url}/api/recordings/${ctx.ready}/file`)).status, 401);
});

exitAfterRun(watch);
