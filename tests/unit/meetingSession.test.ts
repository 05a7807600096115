import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { ErrorPayload } from '@nomades/shared';
import { ClientError } from '../../client/src/media/ClientError.js';
import type { SignalingClient } from '../../client/src/media/SignalingClient.js';
import { MeetingSession, type SessionPhase, type SessionTimings } from '../../client/src/session/MeetingSession.js';
import type { JoinAnswer } from '../../client/src/session/MediaConnection.js';
import { waitFor } from '../helpers/waitFor.js';

/**
 * The web client's meeting session as a state machine (SIG-13…16), against a scripted signaling
 * double: which request it sends after a lost socket (resume first, with the last seq; a full
 * join on RESUME_FAILED or after a non-final `closing`), which codes end it (FINAL_CODES) and
 * that they end it once, and the give-up and retry. The same machine runs in the browser tests
 * against the real server (tests/e2e/reconnect*.browser.test.ts).
 */
// The session's own log lines (console.info/warn) are for the browser's console, not this output.
console.info = () => undefined;
console.warn = () => undefined;

const FAST: SessionTimings = { reconnectMinMs: 2, reconnectMaxMs: 10, giveUpAfterMs: 150, attemptConnectTimeoutMs: 50 };
const TOKEN = 'a'.repeat(43);

type Answer = (data: unknown) => unknown;

/** The part of SignalingClient MeetingSession uses, scripted. */
class ScriptedSignaling {
  connected = false;
  lastSeq = 0;
  held = false;
  closed = false;
  connects = 0;
  readonly sent: Array<{ name: string; data: unknown }> = [];
  /** Answers by request name (throw a ClientError to refuse). */
  readonly answers = new Map<string, Answer>();
  /** The handshake's fate: null accepts it. */
  handshake: () => ClientError | null = () => null;
  private readonly handlers = new Map<string, Set<(data: unknown) => void>>();
  private readonly lost: Array<(reason: string) => void> = [];

  on(name: string, handler: (data: unknown) => void): () => void {
    const set = this.handlers.get(name) ?? new Set();
    this.handlers.set(name, set.add(handler));
    return () => set.delete(handler);
  }
  onDisconnect(handler: (reason: string) => void): void {
    this.lost.push(handler);
  }
  async connect(): Promise<void> {
    this.connects++;
    const refused = this.handshake();
    if (refused) throw refused;
    this.connected = true;
  }
  async request(name: string, data: unknown): Promise<unknown> {
    this.sent.push({ name, data });
    const answer = this.answers.get(name);
    if (!answer) throw new ClientError('INTERNAL', `no scripted answer to ${name}`);
    return answer(data);
  }
  resetSeq(): void {
    this.lastSeq = 0;
  }
  hold(): void {
    this.held = true;
  }
  release(): void {
    this.held = false;
  }
  drop(): void {
    this.connected = false;
  }
  /** NODE-5b: what the next handshakes would report unreachable. */
  readonly reports: Array<string | undefined> = [];
  reportUnreachable(node: string | undefined): void {
    this.reports.push(node);
  }
  close(): void {
    this.closed = true;
    this.connected = false;
  }
  /** The server sends a notification. */
  notify(name: string, data: unknown): void {
    for (const handler of this.handlers.get(name) ?? []) handler(data);
  }
  /** The socket is lost. */
  lose(reason = 'ping timeout'): void {
    this.connected = false;
    for (const handler of this.lost) handler(reason);
  }
  names(): string[] {
    return this.sent.map((s) => s.name);
  }
}

let peerCounter = 0;
function joinAnswer(): JoinAnswer {
  peerCounter++;
  return { peerId: `peer-${peerCounter}`, displayName: 'Ada', role: 'participant', routerRtpCapabilities: {}, peers: [], resumeToken: TOKEN, resumeGraceMs: 30_000 } as unknown as JoinAnswer;
}

function refuse(code: ClientError['code']): Answer {
  return () => {
    throw new ClientError(code, code);
  };
}

interface Harness {
  signaling: ScriptedSignaling;
  session: MeetingSession;
  setUps: Array<{ peerId: string; rejoin: boolean }>;
  resumes: number[];
  phases: SessionPhase[];
  ended: Array<ErrorPayload | null>;
}

async function joined(): Promise<Harness> {
  const signaling = new ScriptedSignaling();
  signaling.answers.set('join', () => joinAnswer());
  const h: Harness = { signaling, session: null!, setUps: [], resumes: [], phases: [], ended: [] };
  h.session = new MeetingSession(
    signaling as unknown as SignalingClient,
    {
      setUp: async (answer, rejoin) => void h.setUps.push({ peerId: answer.peerId, rejoin }),
      resumed: () => void h.resumes.push(Date.now()),
    },
    FAST,
  );
  h.session.on('change', () => h.phases.at(-1) !== h.session.phase && h.phases.push(h.session.phase));
  h.session.on('ended', (reason) => void h.ended.push(reason));
  await h.session.start();
  assert.is(h.session.phase, 'joined');
  return h;
}

test('first join: connecting → joined, media set up once, not as a rejoin', async () => {
  const h = await joined();
  assert.equal(h.phases, ['connecting', 'joined']);
  assert.equal(h.setUps.map((s) => s.rejoin), [false]);
  assert.equal(h.signaling.names(), ['join']);
});

test('a lost socket: reconnecting, then resume with the credential and the last seq; same participation', async () => {
  const h = await joined();
  h.signaling.lastSeq = 17;
  h.signaling.answers.set('resume', () => ({ peerId: 'peer-x', role: 'participant', resumeToken: 'b'.repeat(43), replayed: 2 }));
  h.signaling.lose();
  assert.is(h.session.phase, 'reconnecting');
  assert.ok(h.signaling.held, 'requests are held while reconnecting');
  await waitFor('joined again', () => h.session.phase === 'joined', 2_000, 5);
  const resume = h.signaling.sent.find((s) => s.name === 'resume')!;
  assert.equal(resume.data, { peerId: h.setUps[0]!.peerId, resumeToken: TOKEN, lastSeq: 17 });
  assert.is(h.resumes.length, 1, 'resumed() called once (ICE restart)');
  assert.is(h.setUps.length, 1, 'no new media');
  assert.not.ok(h.signaling.held, 'requests released');
  // The next resume uses the new credential.
  h.signaling.lose();
  await waitFor('joined again', () => h.signaling.sent.filter((s) => s.name === 'resume').length === 2 && h.session.phase === 'joined', 2_000, 5);
  assert.is((h.signaling.sent.at(-1)!.data as { resumeToken: string }).resumeToken, 'b'.repeat(43));
});

test('RESUME_FAILED: a full rejoin (join, media set up anew), the seq counted from 0 again', async () => {
  const h = await joined();
  h.signaling.lastSeq = 5;
  h.signaling.answers.set('resume', refuse('RESUME_FAILED'));
  h.signaling.lose('transport close');
  await waitFor('joined again', () => h.session.phase === 'joined', 2_000, 5);
  assert.equal(h.signaling.names(), ['join', 'resume', 'join']);
  assert.equal(h.setUps.map((s) => s.rejoin), [false, true]);
  assert.is(h.signaling.lastSeq, 0);
  assert.equal(h.ended, []);
});

test('closing with a non-final code (server restarting, worker lost): no resume, a full rejoin', async () => {
  const h = await joined();
  h.signaling.notify('closing', { error: { code: 'UNAVAILABLE', message: 'the media server for this room stopped' } });
  h.signaling.lose('io server disconnect');
  await waitFor('joined again', () => h.session.phase === 'joined' && h.setUps.length === 2, 2_000, 5);
  assert.equal(h.signaling.names(), ['join', 'join']);
  assert.equal(h.ended, []);
});

for (const code of ['REMOVED', 'LOBBY_REFUSED', 'TOKEN_EXPIRED', 'ROOM_NOT_FOUND'] as const) {
  test(`closing ${code} (final) ends the meeting with it, once, and nothing is sent again`, async () => {
    const h = await joined();
    h.signaling.notify('closing', { error: { code, message: 'why' } });
    h.signaling.lose('io server disconnect');
    assert.is(h.session.phase, 'closed');
    assert.equal(h.ended, [{ code, message: 'why' }]);
    assert.ok(h.signaling.closed);
    assert.is(h.signaling.connects, 1, 'no reconnection');
    assert.equal(h.signaling.names(), ['join']);
  });
}

test('a rejoin refused with a final code (removed while away) ends the meeting, once', async () => {
  const h = await joined();
  h.signaling.answers.set('resume', refuse('RESUME_FAILED'));
  h.signaling.answers.set('join', refuse('REMOVED'));
  h.signaling.lose();
  await waitFor('closed', () => h.session.phase === 'closed', 2_000, 5);
  assert.equal(h.ended.map((r) => r?.code), ['REMOVED']);
  assert.is(h.signaling.connects, 2);
});

test('a handshake refused with a final code while reconnecting ends the meeting', async () => {
  const h = await joined();
  h.signaling.handshake = () => new ClientError('TOKEN_EXPIRED', 'expired');
  h.signaling.lose();
  await waitFor('closed', () => h.session.phase === 'closed', 2_000, 5);
  assert.equal(h.ended.map((r) => r?.code), ['TOKEN_EXPIRED']);
});

test('other failures keep trying with backoff; after giveUpAfterMs it stalls, retry() starts again', async () => {
  const h = await joined();
  h.signaling.handshake = () => new ClientError('UNAVAILABLE', 'server down');
  h.signaling.lose();
  await waitFor('stalled', () => h.session.stalled, 2_000, 5);
  const tries = h.signaling.connects - 1;
  assert.ok(tries >= 3, `several attempts before giving up (${tries})`);
  assert.is(h.session.phase, 'reconnecting', 'stalled is not the end of the meeting');
  assert.equal(h.ended, []);
  h.signaling.handshake = () => null;
  h.signaling.answers.set('resume', () => ({ peerId: 'p', role: 'participant', resumeToken: TOKEN, replayed: 0 }));
  h.session.retry();
  assert.not.ok(h.session.stalled);
  await waitFor('joined again', () => h.session.phase === 'joined', 2_000, 5);
  assert.is(h.resumes.length, 1);
});

test('the first join failing is not retried: start() rejects with the code', async () => {
  const signaling = new ScriptedSignaling();
  signaling.answers.set('join', refuse('ROOM_FULL'));
  const session = new MeetingSession(signaling as unknown as SignalingClient, { setUp: async () => undefined, resumed: () => undefined }, FAST);
  const error = await session.start().then(() => null, (e: unknown) => e);
  assert.instance(error, ClientError);
  assert.is((error as ClientError).code, 'ROOM_FULL');
  assert.is(session.phase, 'closed');
  assert.is(signaling.connects, 1);
});

test('a rejoin lands in the lobby when the room has one: lobby, then joined once admitted', async () => {
  const h = await joined();
  h.signaling.answers.set('resume', refuse('RESUME_FAILED'));
  let admitted = false;
  h.signaling.answers.set('join', () => {
    if (!admitted) throw new ClientError('IN_LOBBY', 'wait');
    return joinAnswer();
  });
  h.signaling.lose();
  await waitFor('in the lobby', () => h.session.phase === 'lobby', 2_000, 5);
  admitted = true;
  h.signaling.notify('lobbyAdmitted', {});
  await waitFor('joined again', () => h.session.phase === 'joined', 2_000, 5);
  assert.equal(h.phases.slice(-3), ['lobby', 'reconnecting', 'joined']);
  assert.equal(h.setUps.map((s) => s.rejoin), [false, true]);
});

test('close() during a recovery (the user leaves): closed with no reason, signaling closed', async () => {
  const h = await joined();
  h.signaling.handshake = () => new ClientError('UNAVAILABLE', 'down');
  h.signaling.lose();
  h.session.close(null);
  assert.is(h.session.phase, 'closed');
  assert.equal(h.ended, [null]);
  assert.ok(h.signaling.closed);
});

test.run();
