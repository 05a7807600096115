import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { recordingLayout, type RecordingInfo, type RecordingStream } from '@nomades/shared';
import { layout } from '../../recorder/src/composePlan.js';
import { assertVideoPlaying, launchBrowser, WAIT_MS } from '../helpers/browser.js';
import { Cluster } from '../helpers/Cluster.js';
import { exitAfterRun } from '../helpers/exitAfterRun.js';
import { tileVideo, trackPeerConnections, videoFrames } from '../helpers/fieldBrowser.js';
import { waitFor } from '../helpers/waitFor.js';

const exec = promisify(execFile);

/**
 * The field case of issue #23 (docs/spec/span.md) in two real Chromium pages: two `npm start`
 * nodes over one PostgreSQL and one Redis, NODE_MAX_PARTICIPANTS=1, each with its recorder
 * process, one RECORDINGS_DIR; a room flagged for recording.
 * - SPAN-1/5/6: the host's media fills the room's home; the participant's page talks to the home
 *   (signaling) while its media goes to the other node, the room's annex (its /healthz says so).
 * - Both see and hear each other (frames decoded, audio energy received); the participant on the
 *   annex shares its screen and the host sees it play.
 * - SPAN-1: the host at home mutes the participant through the participants panel: its page shows
 *   itself muted; then removes it: its page shows the removal (times measured in the pages).
 * - SPAN-3: the recording taps at home, the annex's producers piped there: once the meeting is
 *   over it is `ready`, one file with video and audio at least as long as both were in, composed
 *   from tracks of both participants (the manifest), the annex's tracks holding media, both
 *   cameras in the composed picture at a moment both were captured.
 * Printed, not asserted (a loaded machine stalls the browsers): how long each camera's capture
 * went without a frame. Its sender drops its top simulcast layer as the screen share starts; the
 * tap used to forward nothing for 2.5–4 s then (on either node: the host's local camera too),
 * until REC-15 (TapLayerFollower; tests/integration/recordingTapLayers.test.ts asserts it).
 */
interface Ctx {
  setupError?: unknown;
  cluster?: Cluster;
  browser?: Browser;
  contexts: BrowserContext[];
}
const s = suite<Ctx>('one room across two nodes, in two browsers', { contexts: [] });

s.before(async (ctx) => {
  try {
    ctx.cluster = await Cluster.start(2, (root) => ({ NODE_MAX_PARTICIPANTS: '1', RECORDER: 'process', LOG_LEVEL: 'info', RECORDINGS_DIR: path.join(root, 'recordings') }));
    ctx.browser = await launchBrowser();
  } catch (error) {
    ctx.setupError = error;
    process.stderr.write(`\n[hook error] before: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  }
});
s.before.each((ctx) => {
  if (ctx.setupError) throw ctx.setupError;
});
s.after(async (ctx) => {
  await Promise.all(ctx.contexts.map((c) => c.close().catch(() => undefined)));
  await ctx.browser?.close().catch(() => undefined);
  await ctx.cluster?.close();
});

interface NodeHealth {
  id: string;
  annexRooms: string[];
  participants: number;
}
const health = async (cluster: Cluster, i: number): Promise<NodeHealth> => ((await (await fetch(`${cluster.url(i)}/healthz`)).json()) as { node: NodeHealth }).node;

/** A page in its own context, its RTCPeerConnections kept (for the received audio's stats). */
async function open(ctx: Ctx, url: string, label: string, logs: string[]): Promise<Page> {
  const context = await ctx.browser!.newContext({ permissions: ['camera', 'microphone'], viewport: { width: 1400, height: 900 } });
  ctx.contexts.push(context);
  await trackPeerConnections(context);
  const page = await context.newPage();
  page.setDefaultTimeout(WAIT_MS);
  page.on('console', (m) => m.type() === 'error' && logs.push(`[${label} console] ${m.text()}`));
  page.on('pageerror', (e) => logs.push(`[${label} pageerror] ${e.message}`));
  await page.goto(url);
  return page;
}

function selfId(page: Page): Promise<string> {
  return waitFor('a peer id', () => page.locator('[data-testid="local-tile"]').getAttribute('data-self-id').catch(() => null), WAIT_MS, 50);
}

/**
 * What the page received of `peerId`'s sound so far: the inbound-rtp stats of the receivers
 * whose tracks the peer's tile plays (totalAudioEnergy is measured on the decoded samples).
 */
function receivedAudio(page: Page, peerId: string): Promise<{ tracks: number; energy: number; samples: number }> {
  return page.evaluate(`(async () => {
    const tile = document.querySelector('[data-testid="participant-tile"][data-peer-id=${JSON.stringify(peerId)}]');
    const ids = new Set([...(tile?.querySelectorAll('audio') ?? [])].flatMap((a) => a.srcObject ? a.srcObject.getAudioTracks().map((t) => t.id) : []));
    let energy = 0, samples = 0;
    for (const pc of window.__nvtPcs ?? []) {
      if (pc.connectionState === 'closed') continue;
      for (const r of pc.getReceivers()) {
        if (!ids.has(r.track.id)) continue;
        for (const st of (await r.getStats()).values()) {
          if (st.type === 'inbound-rtp' && st.kind === 'audio') { energy += st.totalAudioEnergy ?? 0; samples += st.totalSamplesReceived ?? 0; }
        }
      }
    }
    return { tracks: ids.size, energy, samples };
  })()`);
}

/** Waits until the page decodes audible sound (energy growing) from `peerId`. */
async function assertHearing(page: Page, peerId: string, what: string): Promise<void> {
  const first = await waitFor(`${what}: audio received`, async () => {
    const a = await receivedAudio(page, peerId);
    return a.tracks > 0 && a.energy > 0 ? a : null;
  }, WAIT_MS, 200);
  const later = await waitFor(`${what}: audio keeps coming, not silent`, async () => {
    const a = await receivedAudio(page, peerId);
    return a.energy > first.energy && a.samples > first.samples + 48_000 ? a : null;
  }, 5_000, 200);
  console.log(`[span-e2e] ${what}: ${(later.samples - first.samples) / 48_000} s of audio more, energy ${first.energy.toExponential(2)} → ${later.energy.toExponential(2)}`);
}

/**
 * Arms a watch in `page`: `window.__spanSeen[name]` gets the Date.now() of the first DOM change
 * after which `selector` matches (both pages share the machine's clock).
 */
function watchFor(page: Page, name: string, selector: string): Promise<void> {
  return page.evaluate(`(() => {
    const seen = (window.__spanSeen ??= {});
    delete seen[${JSON.stringify(name)}];
    const check = () => {
      if (document.querySelector(${JSON.stringify(selector)})) { seen[${JSON.stringify(name)}] = Date.now(); observer.disconnect(); }
    };
    const observer = new MutationObserver(check);
    observer.observe(document, { subtree: true, childList: true, attributes: true, characterData: true });
    check();
  })()`);
}
const seenAt = (page: Page, name: string): Promise<number | undefined> => page.evaluate(`(window.__spanSeen ?? {})[${JSON.stringify(name)}]`);

/** Clicks `selector` in the page and answers the page's Date.now() just before the click. */
function clickAt(page: Page, selector: string): Promise<number> {
  return page.evaluate(`(() => {
    const button = document.querySelector(${JSON.stringify(selector)});
    if (!button || button.disabled) throw new Error('no enabled ' + ${JSON.stringify(selector)});
    const at = Date.now();
    button.click();
    return at;
  })()`);
}

/** When node `i` logged `msg` about `peer` (pino's time), for where a delay was spent. */
function loggedAt(cluster: Cluster, i: number, msg: string, peer: string): number | undefined {
  for (const line of cluster.nodes[i]?.output.split('\n') ?? []) {
    if (!line.startsWith('{') || !line.includes(msg)) continue;
    const entry = JSON.parse(line) as { time: number; msg: string; peer?: string };
    if (entry.msg === msg && entry.peer === peer) return entry.time;
  }
  return undefined;
}

async function recordings(cluster: Cluster, roomId: string): Promise<RecordingInfo[]> {
  const res = await cluster.admin('GET', `/api/rooms/${roomId}/recordings`);
  if (res.status !== 200) throw new Error(`GET recordings: ${res.status} ${await res.text()}`);
  return (await res.json()) as RecordingInfo[];
}

async function probe(file: string): Promise<{ duration: number; streams: string[] }> {
  const { stdout } = await exec('ffprobe', ['-v', 'error', '-show_entries', 'format=duration:stream=codec_type', '-of', 'json', file]);
  const p = JSON.parse(stdout) as { format: { duration: string }; streams: Array<{ codec_type: string }> };
  return { duration: Number(p.format.duration), streams: p.streams.map((x) => x.codec_type).sort() };
}

/** Wall-clock times (seconds) of the packets of a captured track, in order (the capture stamps them so: COMP-6). */
async function packetTimes(file: string): Promise<number[]> {
  const { stdout } = await exec('ffprobe', ['-v', 'error', '-show_entries', 'packet=pts_time', '-of', 'csv=p=0', file], { maxBuffer: 16 << 20 });
  return stdout.split('\n').map(Number).filter((t) => Number.isFinite(t) && t > 0).sort((a, b) => a - b);
}

/** The longest stretch without a packet in `times` between `from` and `to` (seconds). */
function longestGap(times: number[], from: number, to: number): number {
  const inside = [from, ...times.filter((t) => t > from && t < to), to];
  return Math.max(...inside.slice(1).map((t, i) => t - inside[i]));
}

type Track = RecordingStream & { file: string; openedAt: string; firstPts?: number };

/** Mean colour (r, g, b) of the middle of `cell` in the composed file's frame at `t` seconds. */
async function cellColour(file: string, t: number, cell: { x: number; y: number; w: number; h: number }): Promise<number[]> {
  // The middle half across and quarter down: inside the picture, clear of the letterbox bars of a 16:9 camera in its cell.
  const crop = `crop=${Math.round(cell.w / 2)}:${Math.round(cell.h / 4)}:${cell.x + Math.round(cell.w / 4)}:${cell.y + Math.round((cell.h * 3) / 8)}`;
  const { stdout } = await exec('ffmpeg', ['-v', 'error', '-ss', t.toFixed(3), '-i', file, '-frames:v', '1', '-vf', `${crop},scale=1:1:flags=area`, '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-'], { encoding: 'buffer' });
  return [...(stdout as unknown as Buffer).subarray(0, 3)];
}
/** The guest's camera and microphone, and its screen share (Chromium's fake capture of a tab comes with its sound). */
const GUEST_SOURCES = 'camera,microphone,screen,screen-audio';

s('a participant whose media is on the annex: seen, heard, sharing; muted and removed from home; recorded with the host', async (ctx) => {
  const cluster = ctx.cluster!;
  const logs: string[] = [];
  const withLogs = (error: Error): never => {
    const nodeLogs = cluster.nodes.map((n, i) => `--- node${i} ---\n${n?.output.slice(-4000) ?? '(stopped)'}`);
    throw new Error(`${error.message}\n${logs.join('\n')}\n${nodeLogs.join('\n')}`);
  };
  const dir = path.join(cluster.root, 'recordings');
  const { id: roomId } = await cluster.createRoom({ name: 'Réunion sur deux nœuds', record: true });
  const pageOf = async (name: string, role: string, node: number) =>
    `${cluster.url(node)}/room/${roomId}?token=${encodeURIComponent(await cluster.mintToken(roomId, name, role))}&autojoin=1`;

  // The host first: the room is placed on its home, whose one place the host's media takes.
  const host = await open(ctx, await pageOf('Hôte', 'host', 0), 'host', logs);
  const hostId = await selfId(host).catch(withLogs);
  const home = await cluster.hostOf(roomId);
  const other = 1 - home;
  const guest = await open(ctx, await pageOf('Invitée', 'participant', home), 'guest', logs);
  const guestId = await selfId(guest).catch(withLogs);
  const bothInAt = Date.now();

  // SPAN-5/6: the guest's media is on the other node, the room's annex; the home carries the host's.
  const nodes = await waitFor('the guest\'s media on the annex', async () => {
    const n = await Promise.all([0, 1].map((i) => health(cluster, i)));
    return n[other].annexRooms.includes(roomId) && n[other].participants === 1 ? n : null;
  }, 10_000).catch(withLogs);
  assert.is(nodes[home].participants, 1, 'the home carries the host\'s media only');
  assert.equal(nodes[home].annexRooms, [], 'the home is no annex');
  // SPAN-1: the guest's signaling stays home: the room's participants are listed there, both.
  const listed = ((await (await cluster.admin('GET', `/api/rooms/${roomId}/participants`)).json()) as { peers: Array<{ id: string }> }).peers.map((p) => p.id).sort();
  assert.equal(listed, [hostId, guestId].sort());

  // Both see each other: first frames, then playing on.
  const firstFrame = async (page: Page, peerId: string, what: string) => {
    await waitFor(`${what} decodes frames`, async () => ((await videoFrames(page, tileVideo(peerId))) ?? 0) > 0, WAIT_MS, 50).catch(withLogs);
    return Date.now() - bothInAt;
  };
  const [hostSees, guestSees] = await Promise.all([firstFrame(host, guestId, 'host: video of the guest (annex → home)'), firstFrame(guest, hostId, 'guest: video of the host (home → annex)')]);
  console.log(`[span-e2e] first frame after the guest joined: host sees the guest ${hostSees} ms, guest sees the host ${guestSees} ms`);
  await Promise.all([
    assertVideoPlaying(host, tileVideo(guestId), 'host: video of the guest', logs),
    assertVideoPlaying(guest, tileVideo(hostId), 'guest: video of the host', logs),
  ]);
  // …and hear each other.
  await Promise.all([assertHearing(host, guestId, 'host hears the guest'), assertHearing(guest, hostId, 'guest hears the host')]).catch(withLogs);

  // The guest, media on the annex, shares its screen (Chromium's fake capture); the host sees it.
  const shareAt = Date.now();
  await guest.click('[data-testid="toggle-screen"]');
  await guest.locator('[data-testid="sharing-notice"]').waitFor().catch(withLogs);
  await waitFor('host: the screen decodes frames', async () => ((await videoFrames(host, 'video[data-testid="screen-video"]')) ?? 0) > 0, WAIT_MS, 50).catch(withLogs);
  console.log(`[span-e2e] guest's screen share: first frame at the host ${Date.now() - shareAt} ms after the click`);
  await assertVideoPlaying(host, 'video[data-testid="screen-video"]', 'host: the guest\'s screen', logs);

  // The recording, at home, captures every track of both, the annex's piped home (SPAN-3).
  const recording = await waitFor('the recording', async () => (await recordings(cluster, roomId)).find((r) => r.status === 'recording'), 15_000).catch(withLogs);
  assert.is(recording.nodeId, `node${home}`, 'recorded at the room\'s home');
  const manifest = () => JSON.parse(fs.readFileSync(recordingLayout.manifest(dir, recording.id), 'utf8')) as { tracks: Track[] };
  const sources = (tracks: Track[], peerId: string) => tracks.filter((t) => t.peerId === peerId).map((t) => t.source).sort();
  // Captured: the recorder has read each one's first packet (COMP-6's probe), the guest's screen included.
  await waitFor('the recorder captures both participants\' tracks', () => {
    const { tracks } = manifest();
    return sources(tracks, hostId).join() === 'camera,microphone' && sources(tracks, guestId).join() === GUEST_SOURCES && tracks.every((t) => t.firstPts !== undefined);
  }, 15_000).catch((e: Error) => withLogs(new Error(`${e.message}: ${fs.existsSync(recordingLayout.manifest(dir, recording.id)) ? JSON.stringify(manifest().tracks.map((t) => [t.displayName, t.source, t.firstPts])) : 'no manifest'}`)));

  console.log(`[span-e2e] the recorder captures every track of both, the guest's screen ${Date.now() - shareAt} ms after the share's click`);

  // SPAN-1: the host at home mutes the guest (participants panel); the guest's page shows itself muted.
  const row = `[data-testid="participants-panel"] [data-testid="participant-row"][data-peer-id="${guestId}"]`;
  await host.locator(`${row} [data-testid="mute-participant"]:enabled`).waitFor().catch(withLogs);
  await guest.locator('[data-testid="toggle-mic"][aria-label="Mute microphone"]').waitFor();
  await watchFor(guest, 'muted', '[data-testid="toggle-mic"][aria-label="Unmute microphone"]');
  const muteClick = await clickAt(host, `${row} [data-testid="mute-participant"]`);
  await waitFor('the guest\'s page shows itself muted', () => seenAt(guest, 'muted'), 2_000, 20).catch(withLogs);
  const muteMs = (await seenAt(guest, 'muted'))! - muteClick;
  await guest.locator('[data-testid="moderation-notice"]', { hasText: 'muted your microphone' }).waitFor().catch(withLogs);
  await host.locator(`[data-testid="participant-tile"][data-peer-id="${guestId}"] [data-testid="mic-muted"]`).waitFor().catch(withLogs);
  const muteDone = (loggedAt(cluster, home, 'muted by a host', guestId) ?? NaN) - muteClick;
  console.log(`[span-e2e] host at home mutes the guest (media on the annex): the guest's page shows itself muted ${muteMs} ms after the click (the home done with it, the annex's producer paused, at ${muteDone} ms)`);
  assert.ok(muteMs < 2_000, `muted in ${muteMs} ms`);

  // …and removes it: the guest's page shows the removal; the host loses its tile; the annex lets the room go.
  await watchFor(guest, 'removed', '[data-testid="ended"]');
  const removeClick = await clickAt(host, `${row} [data-testid="remove-participant"]`);
  await waitFor('the guest\'s page shows the removal', () => seenAt(guest, 'removed'), 5_000, 20).catch(withLogs);
  const removedMs = (await seenAt(guest, 'removed'))! - removeClick;
  const bothInMs = removeClick - bothInAt;
  assert.match((await guest.locator('[data-testid="ended"]').textContent()) ?? '', 'removed you');
  const removeDone = (loggedAt(cluster, home, 'participant removed', guestId) ?? NaN) - removeClick;
  console.log(`[span-e2e] host removes the guest: the guest's page shows the removal ${removedMs} ms after the click (the home removed it at ${removeDone} ms)`);
  assert.ok(removedMs < 2_000, `removal shown in ${removedMs} ms`);
  await waitFor('the guest\'s tile goes from the host\'s page', async () => (await host.locator(`[data-testid="participant-tile"][data-peer-id="${guestId}"]`).count()) === 0, 5_000).catch(withLogs);
  await waitFor('the annex releases the room', async () => {
    const n = await health(cluster, other);
    return !n.annexRooms.includes(roomId) && n.participants === 0;
  }, 10_000).catch(withLogs);

  // The host leaves: the room is empty, the recording ends and is composed at home.
  const leftAt = Date.now();
  await host.click('[data-testid="leave"]');
  await host.locator('[data-testid="ended"]').waitFor().catch(withLogs);
  const done = await waitFor('the recording ready', async () => {
    const r = (await recordings(cluster, roomId)).find((x) => x.id === recording.id);
    if (r?.status === 'failed') throw new Error(`${r.id} failed: ${r.error}`);
    return r?.status === 'ready' ? r : undefined;
  }, 30_000, 250).catch(withLogs);
  const file = await probe(recordingLayout.composed(dir, done.id));
  console.log(`[span-e2e] recording ${done.id}: ready ${Date.now() - leftAt} ms after the host left, ${file.duration.toFixed(2)} s long (both in for ${(bothInMs / 1000).toFixed(1)} s), streams ${file.streams.join(', ')}`);
  assert.equal((await recordings(cluster, roomId)).map((r) => [r.id, r.status]), [[done.id, 'ready']], 'one recording, ready');
  assert.equal(file.streams, ['audio', 'video']);
  assert.ok(file.duration >= bothInMs / 1000, `${file.duration} s recorded, both in for ${bothInMs / 1000} s`);

  // Composed from both participants' tracks; the guest's (captured from the annex through the pipe) hold media.
  const { tracks } = manifest();
  assert.equal(sources(tracks, hostId), ['camera', 'microphone']);
  assert.is(sources(tracks, guestId).join(), GUEST_SOURCES);
  // The captured tracks, packet by packet: the guest's camera and microphone, piped from the annex, hold media.
  const times = new Map(await Promise.all(tracks.map(async (t) => [t, await packetTimes(path.join(recordingLayout.dir(dir, done.id), t.file))] as const)));
  const camera = (peerId: string) => [...times].find(([t]) => t.peerId === peerId && t.source === 'camera')!;
  const [[hostCam, hostTimes], [guestCam, guestTimes]] = [camera(hostId), camera(guestId)];
  const removedAt = removeClick / 1000;
  const opened = (t: Track) => Date.parse(t.openedAt) / 1000;
  console.log(
    `[span-e2e] captured: ${[...times].map(([t, ts]) => `${t.displayName} ${t.source} ${ts.length > 1 ? (ts.at(-1)! - ts[0]).toFixed(1) : 0} s`).join(', ')}; ` +
      `cameras: ${([['host', hostCam, hostTimes], ['guest', guestCam, guestTimes]] as Array<[string, Track, number[]]>).map(([who, t, ts]) => `${who}'s first frame ${(ts[0] - opened(t)).toFixed(2)} s after its capture opened, then at most ${longestGap(ts, ts[0], removedAt).toFixed(2)} s without one until the removal`).join('; ')}`,
  );
  for (const [t, ts] of times) if (t.peerId === guestId && !t.source.startsWith('screen')) assert.ok(ts.length > 1 && ts.at(-1)! - ts[0] > 2, `the guest's ${t.source}: ${ts.length} packets`);

  // In the composed picture, at a moment when both cameras were captured: each one's tile shows
  // Chromium's fake camera (green), not the empty canvas (0x202020). The tiles as the composer lays
  // them out, one per person and kind of picture, in the manifest's order (recorder/src/composePlan.ts).
  const flowing = (ts: number[], t: number) => ts.some((x) => x <= t && x > t - 0.3);
  let at: number | undefined;
  for (let t = guestTimes[0] + 0.3; t < removedAt && at === undefined; t += 0.1) {
    if ([hostTimes, guestTimes].every((ts) => flowing(ts, t) && flowing(ts, t + 0.5))) at = t + 0.25;
  }
  assert.ok(at !== undefined, 'a moment when both cameras were captured');
  const video = tracks.filter((t) => t.kind === 'video');
  const keys = [...new Map(video.map((t) => [`${t.identity}:${t.source}`, { key: `${t.identity}:${t.source}`, screen: t.source === 'screen' }])).values()];
  const cells = layout(keys, 1280, 720);
  const origin = Math.min(...tracks.map((t) => t.firstPts ?? Infinity));
  const composed = recordingLayout.composed(dir, done.id);
  for (const [who, track] of [['host', hostCam], ['guest', guestCam]] as const) {
    const [r, g, b] = await cellColour(composed, at! - origin, cells.get(`${track.identity}:camera`)!);
    console.log(`[span-e2e] composed file at ${(at! - origin).toFixed(1)} s: the ${who}'s camera tile is rgb(${r}, ${g}, ${b})`);
    assert.ok(g > r + 40 && g > b + 40, `the ${who}'s camera is in the composed picture (rgb ${r}, ${g}, ${b})`);
  }
  assert.equal(logs, [], 'no page errors');
});

exitAfterRun(s);
