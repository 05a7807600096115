import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { createdInviteSchema, participantListSchema, recordingInfoSchema, recordingLayout, recordingListSchema, roomInfoSchema, roomListSchema, tokenResponseSchema } from '@nomades/shared';
import { exitAfterRun } from '../helpers/exitAfterRun.js';
import { AnswerValidator, type OpenApiDoc } from '../helpers/openApi.js';
import { startTestServer, type TestServer } from '../helpers/testServer.js';
import { runNomades, type CliRun } from '../helpers/runNomades.js';

/**
 * The `nomades` CLI (cli/README.md) against a real server, run as an operator runs it: the root
 * package's bin as a child process, configured by its environment (or its config file). Exit codes:
 * 0 done, 1 usage/configuration, 2 refused by the server (its code and message), 3 unreachable.
 */
const cli = suite<{ srv?: TestServer; home: string; v?: AnswerValidator }>('nomades CLI', { home: '' });

type Run = CliRun;

const run = (args: string[], env: Record<string, string | undefined>): Promise<Run> => runNomades(args, { HOME: env.HOME, ...env });

cli.before(async (ctx) => {
  ctx.srv = await startTestServer({}, { keepData: true });
  ctx.home = fs.mkdtempSync(path.join(os.tmpdir(), 'nomades-cli-'));
  ctx.v = new AnswerValidator((await (await fetch(`${ctx.srv.url}/api/openapi.json`)).json()) as OpenApiDoc);
});
cli.after(async (ctx) => {
  await ctx.srv?.close();
  if (ctx.srv) fs.rmSync(ctx.srv.dataDir, { recursive: true, force: true });
  if (ctx.home) fs.rmSync(ctx.home, { recursive: true, force: true });
});

const envOf = (ctx: { srv?: TestServer; home: string }, extra: Record<string, string | undefined> = {}) => ({
  HOME: ctx.home,
  XDG_CONFIG_HOME: path.join(ctx.home, '.config'),
  NOMADES_URL: ctx.srv!.url,
  ADMIN_KEY: ctx.srv!.adminKey,
  ...extra,
});

cli('rooms create, tokens mint, recordings list, invites, participants: JSON answers that fit the schemas and the document', async (ctx) => {
  const env = envOf(ctx);
  const created = await run(['--json', 'rooms', 'create', '--name', 'Réunion d\'équipe DASCO', '--max', '12', '--record', '--viewers', 'host,participant'], env);
  assert.is(created.code, 0, created.stderr);
  const room = roomInfoSchema.parse(JSON.parse(created.stdout));
  assert.is(room.id, 'reunion-d-equipe-dasco');
  assert.is(room.maxParticipants, 12);
  assert.is(room.record, true);
  assert.equal(room.recordingViewers, ['host', 'participant']);
  assert.equal(ctx.v!.check('post', '/api/rooms', 201, JSON.parse(created.stdout)), []);

  const minted = await run(['tokens', 'mint', room.id, '--name', 'Alice', '--role', 'host', '--json'], env);
  assert.is(minted.code, 0, minted.stderr);
  const token = tokenResponseSchema.parse(JSON.parse(minted.stdout));
  assert.ok(token.joinUrl.startsWith(`${ctx.srv!.url}/room/${room.id}?token=`));
  const claims = JSON.parse(Buffer.from(token.token.split('.')[1], 'base64url').toString()) as { room?: string; name?: string; role?: string };
  assert.equal([claims.name, claims.role], ['Alice', 'host']);
  // The token opens the room's recordings for a host (REC-V1): it is a real one.
  const watch = await fetch(`${ctx.srv!.url}/api/rooms/${room.id}/recordings/watch`, { headers: { authorization: `Bearer ${token.token}` } });
  assert.is(watch.status, 200);

  const recordings = await run(['--json', 'recordings', 'list', room.id], env);
  assert.is(recordings.code, 0, recordings.stderr);
  assert.equal(recordingListSchema.parse(JSON.parse(recordings.stdout)), []);

  const invite = await run(['--json', 'invites', 'create', room.id, '--max-uses', '2'], env);
  assert.is(invite.code, 0, invite.stderr);
  assert.is(createdInviteSchema.parse(JSON.parse(invite.stdout)).maxUses, 2);

  const people = await run(['--json', 'participants', 'list', room.id], env);
  assert.is(people.code, 0, people.stderr);
  assert.equal(participantListSchema.parse(JSON.parse(people.stdout)).peers, []);

  const updated = await run(['--json', 'rooms', 'update', room.id, '--no-record'], env);
  assert.is(updated.code, 0, updated.stderr);
  assert.is(roomInfoSchema.parse(JSON.parse(updated.stdout)).record, false);

  const listed = await run(['--json', 'rooms', 'list'], env);
  assert.ok(roomListSchema.parse(JSON.parse(listed.stdout)).rooms.some((r) => r.id === room.id));
  // Without --json: a table with a header and the room's row.
  const human = await run(['rooms', 'list'], env);
  assert.is(human.code, 0);
  assert.match(human.stdout, /^ID\s+NAME\s+MODE/m);
  assert.match(human.stdout, new RegExp(`^${room.id}\\s+Réunion d'équipe DASCO\\s+meeting\\s+12\\s+false`, 'm'));
});

cli('recordings list, show, download and delete, on a stored recording whose file is where the layout says', async (ctx) => {
  const srv = ctx.srv!;
  const env = envOf(ctx);
  const { id: roomId } = await srv.createRoom({ name: 'Recorded council' });
  // The state the recorder leaves: a row made ready and its composed file (recordingLayout).
  const id = 'rec_cliTest0001';
  await srv.server.recording.store.create(id, roomId, new Date().toISOString());
  await srv.server.recording.store.update(id, { status: 'ready', endedAt: new Date().toISOString(), durationMs: 1234, sizeBytes: 11, progress: 100 });
  fs.mkdirSync(recordingLayout.dir(srv.server.config.recordingsDir, id), { recursive: true });
  fs.writeFileSync(recordingLayout.composed(srv.server.config.recordingsDir, id), 'not-a-video');

  const listed = await run(['--json', 'recordings', 'list', roomId], env);
  assert.is(listed.code, 0, listed.stderr);
  const [one] = recordingListSchema.parse(JSON.parse(listed.stdout));
  assert.equal([one.id, one.status, one.durationMs], [id, 'ready', 1234]);
  assert.equal(ctx.v!.check('get', '/api/rooms/{id}/recordings', 200, JSON.parse(listed.stdout)), []);
  const human = await run(['recordings', 'list', roomId], env);
  assert.match(human.stdout, new RegExp(`^${id}\\s+ready\\s`, 'm'));
  const shown = await run(['--json', 'recordings', 'show', id], env);
  assert.is(recordingInfoSchema.parse(JSON.parse(shown.stdout)).id, id);

  const out = path.join(ctx.home, 'council.mp4');
  const downloaded = await run(['--json', 'recordings', 'download', id, '-o', out], env);
  assert.is(downloaded.code, 0, downloaded.stderr);
  assert.equal(JSON.parse(downloaded.stdout), { file: out, bytes: 11 });
  assert.is(fs.readFileSync(out, 'utf8'), 'not-a-video');

  const deleted = await run(['recordings', 'delete', id], env);
  assert.is(deleted.code, 0, deleted.stderr);
  assert.not.ok(fs.existsSync(recordingLayout.dir(srv.server.config.recordingsDir, id)), 'its folder is gone');
  const after = await run(['--json', 'recordings', 'list', roomId], env);
  assert.equal(JSON.parse(after.stdout), []);
});

cli('rooms delete (ROOM-7): JSON { deleted }, exit 0; the room is gone; a second delete exits 2 ROOM_NOT_FOUND', async (ctx) => {
  const env = envOf(ctx);
  const created = await run(['rooms', 'create', '--id', 'cli-doomed-room'], env);
  assert.is(created.code, 0, created.stderr);
  const deleted = await run(['--json', 'rooms', 'delete', 'cli-doomed-room'], env);
  assert.is(deleted.code, 0, deleted.stderr);
  assert.equal(JSON.parse(deleted.stdout), { deleted: 'cli-doomed-room' });
  const shown = await run(['rooms', 'show', 'cli-doomed-room'], env);
  assert.is(shown.code, 2);
  const again = await run(['--json', 'rooms', 'delete', 'cli-doomed-room'], env);
  assert.is(again.code, 2);
  assert.is(again.stdout, '');
  assert.match(again.stderr, /^nomades: ROOM_NOT_FOUND: no such room \(HTTP 404, DELETE \/api\/rooms\/cli-doomed-room\)/);
});

cli('a wrong admin key: the server\'s code and message on stderr, exit 2, nothing on stdout', async (ctx) => {
  const res = await run(['--json', 'rooms', 'list'], envOf(ctx, { ADMIN_KEY: 'not-the-admin-key-of-this-server' }));
  assert.is(res.code, 2);
  assert.is(res.stdout, '');
  assert.match(res.stderr, /^nomades: FORBIDDEN: wrong admin key \(HTTP 403, GET \/api\/rooms\)/);
  const missing = await run(['recordings', 'download', 'rec_nosuchrecording1'], envOf(ctx));
  assert.is(missing.code, 2);
  assert.match(missing.stderr, /NOT_FOUND: no such recording/);
  const taken = await run(['rooms', 'create', '--id', 'twice-room'], envOf(ctx));
  assert.is(taken.code, 0, taken.stderr);
  const again = await run(['rooms', 'create', '--id', 'twice-room'], envOf(ctx));
  assert.is(again.code, 2);
  assert.match(again.stderr, /CONFLICT: a room with this id exists \{"id":"twice-room"\}/);
});

cli('nodes on a single node: said in words, exit 2, nothing on stdout (several nodes: tests/integration/nodesNginx.test.ts)', async (ctx) => {
  for (const args of [['nodes'], ['--json', 'nodes']]) {
    const res = await run(args, envOf(ctx));
    assert.is(res.code, 2);
    assert.is(res.stdout, '');
    assert.match(res.stderr, /^nomades: a single node: this server runs every room itself/);
  }
  const wrongKey = await run(['nodes'], envOf(ctx, { ADMIN_KEY: 'not-the-admin-key-of-this-server' }));
  assert.match(wrongKey.stderr, /^nomades: FORBIDDEN: wrong admin key/);
});

cli('usage and configuration errors exit 1; an unreachable server exits 3', async (ctx) => {
  const noKey = await run(['rooms', 'list'], envOf(ctx, { ADMIN_KEY: undefined }));
  assert.is(noKey.code, 1);
  assert.match(noKey.stderr, /no admin key: set ADMIN_KEY/);
  const badBody = await run(['rooms', 'create', '--max', '1'], envOf(ctx));
  assert.is(badBody.code, 1);
  assert.match(badBody.stderr, /invalid options: maxParticipants/);
  const unknown = await run(['rooms', 'explode'], envOf(ctx));
  assert.is(unknown.code, 1);
  const notANumber = await run(['rooms', 'create', '--max', 'lots'], envOf(ctx));
  assert.is(notANumber.code, 1);
  const help = await run(['--help'], envOf(ctx));
  assert.is(help.code, 0);
  assert.match(help.stdout, /recordings/);
  // A port nobody listens on (the server's own, once the listener is known closed, is not portable: a fresh socket's port).
  const down = await run(['rooms', 'list'], envOf(ctx, { NOMADES_URL: 'http://127.0.0.1:9' }));
  assert.is(down.code, 3);
  assert.match(down.stderr, /cannot reach http:\/\/127\.0\.0\.1:9/);
});

cli('the config file: used when the environment says nothing, refused when others may read it', async (ctx) => {
  const dir = path.join(ctx.home, '.config', 'nomades');
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, 'config.json');
  fs.writeFileSync(file, JSON.stringify({ url: ctx.srv!.url, adminKey: ctx.srv!.adminKey }), { mode: 0o644 });
  fs.chmodSync(file, 0o644);
  const env = envOf(ctx, { NOMADES_URL: undefined, ADMIN_KEY: undefined });
  const open = await run(['rooms', 'list'], env);
  assert.is(open.code, 1);
  assert.match(open.stderr, /readable by others \(mode 644\): chmod 600/);
  fs.chmodSync(file, 0o600);
  const ok = await run(['--json', 'rooms', 'list'], env);
  assert.is(ok.code, 0, ok.stderr);
  roomListSchema.parse(JSON.parse(ok.stdout));
});

exitAfterRun(cli);
