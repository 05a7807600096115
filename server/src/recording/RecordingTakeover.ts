import fs from 'node:fs';
import type { Queue } from 'bullmq';
import { recordingLayout, type RecordingInfo, type RecordingJobData } from '@nomades/shared';
import type { Logger } from '../logging/logger.js';
import type { RecordingLifecycle } from './RecordingLifecycle.js';

export interface RecordingTakeoverOptions {
  /** This node (NODE-8's id). */
  nodeId: string;
  lifecycle: RecordingLifecycle;
  /** This node's recording queue (its own recorder takes the compose jobs). */
  queue: Queue;
  recordingsDir: string;
  /** This node's control URL: the compose job's recorder reports here. */
  controlUrl: () => string;
  /**
   * Removes the recording's job from the dead node's queue once its dead recorder's lock has
   * expired (true once gone): no recorder of a node restarted under the same id takes it again,
   * and no key of it stays in Redis for ever. Never rejects.
   */
  removeDeadJob: (deadNodeId: string, recordingId: string) => Promise<boolean>;
  /** NODE-REC-2: which of these nodes are dead (absent from the directory's live nodes). */
  goneNodes: (nodeIds: string[]) => Promise<string[]>;
  /** NODE-REC-2: how long a recording left `recording` waits for its room to reopen before it is composed (CONTINUE_GRACE_MS). */
  graceMs?: number;
  log: Logger;
}

/**
 * NODE-REC-2: how long a survivor waits, from the death, before it composes a recording its dead
 * node left `recording`: the room's participants are back on a live node within a few seconds
 * (NODE-5b: rejoin p95 2.2 s after a SIGKILL, the death known 2–4 s after it), and that node then
 * continues the recording. A room nobody reopens has its recording composed this much later.
 */
export const CONTINUE_GRACE_MS = 15_000;

/** The first words of the note of a recording taken over: how a new session knows it continues one. */
const DIED = /^node (\S+) died at (\S+)/m;

/**
 * NODE-REC-1 (recorder/README.md): when another node dies, its recordings still `recording` or
 * `processing` would stay so for ever (its recorder died with it; their jobs sit in its queue).
 * Each survivor that hears of the death tries to take every one over with one conditional update
 * (exactly one succeeds); the winner composes what was captured (the tracks and the manifest are
 * on the shared RECORDINGS_DIR: ffmpeg's Matroska with 100 ms clusters is playable when killed,
 * the manifest is rewritten at every track) with a job of mode `compose` on its own queue, as a
 * recompose (COMP-5) does. NODE-REC-2: a recording left `recording` is taken only after a grace
 * (CONTINUE_GRACE_MS), in which the node where its room reopens may continue it instead
 * (continueFor: same id, its recorder resumes the manifest; one file). A meeting whose recording
 * was composed before it reopened records in a new one, linked by the notes ("continues rec_…",
 * "continued by rec_…"). Knows nothing of Redis's node directory: ClusterNode hands it the dead
 * node's id, and goneNodes answers which nodes are dead.
 */
export class RecordingTakeover {
  readonly #o: RecordingTakeoverOptions;
  /** Ends the graces in progress (close()). */
  readonly #closing = new AbortController();

  constructor(options: RecordingTakeoverOptions) {
    this.#o = options;
  }

  /**
   * Takes over what `deadNodeId` left unfinished; the ids this node took. A recording left
   * `processing` is composed at once; one left `recording` first waits CONTINUE_GRACE_MS for its
   * room to reopen on a live node that continues it (NODE-REC-2; then it is not taken here).
   * Rejects only if the store does.
   */
  async adoptFrom(deadNodeId: string): Promise<string[]> {
    if (deadNodeId === this.#o.nodeId) return [];
    const at = new Date().toISOString();
    const orphans = await this.#o.lifecycle.store.unfinishedOf(deadNodeId);
    const taken = await this.#takeOver(deadNodeId, at, orphans.filter((o) => o.status === 'processing'));
    const recording = orphans.filter((o) => o.status === 'recording');
    if (recording.length) {
      const grace = this.#o.graceMs ?? CONTINUE_GRACE_MS;
      this.#o.log.info({ dead: deadNodeId, recordings: recording.map((r) => r.id), rooms: recording.map((r) => r.roomId), graceMs: grace }, 'a dead node\'s recordings wait for their rooms to reopen before they are composed');
      await this.#sleep(grace);
      if (this.#closing.signal.aborted) return taken;
      // Conditional on the dead node still holding them: a recording continued meanwhile is not taken.
      taken.push(...(await this.#takeOver(deadNodeId, at, recording)));
      const continued = recording.filter((r) => !taken.includes(r.id)).map((r) => r.id);
      if (continued.length) this.#o.log.info({ dead: deadNodeId, recordings: continued }, 'recordings of a dead node continued elsewhere (or taken by another survivor): not composed here');
    }
    return taken;
  }

  /**
   * NODE-REC-2: a recording of `roomId` that a dead node left `recording`, claimed for this node
   * (one conditional update: a survivor's takeover after its grace, or another node's claim, and
   * this never both succeed): the room reopened here, its session records on under that id and
   * this node's recorder resumes the manifest on the shared RECORDINGS_DIR. Undefined when there
   * is none (or it was composed or continued elsewhere first): a new recording starts.
   */
  async continueFor(roomId: string): Promise<RecordingInfo | undefined> {
    const { lifecycle, nodeId } = this.#o;
    const candidates = (await lifecycle.store.listByRoom(roomId)).filter((r) => r.status === 'recording' && r.nodeId && r.nodeId !== nodeId).reverse();
    if (!candidates.length) return undefined;
    const dead = new Set(await this.#o.goneNodes([...new Set(candidates.map((r) => r.nodeId!))]));
    for (const candidate of candidates) {
      const deadNodeId = candidate.nodeId!;
      if (!dead.has(deadNodeId)) continue; // a live node's (draining, or its room's old home not dead yet)
      const at = new Date().toISOString();
      // Not "node X died at": a later session of the room must not be linked to this one (DIED).
      const note = `continued by node ${nodeId} at ${at}, where the room reopened: node ${deadNodeId}, which recorded it, is dead`;
      const info = await lifecycle.continueOn(candidate.id, { deadNodeId, nodeId, at, note });
      if (!info) continue;
      this.#removeDeadJob(deadNodeId, info.id);
      return info;
    }
    return undefined;
  }

  /** Stops waiting (the node is closing): recordings in their grace stay the dead node's (the next node's start takes them). Idempotent. */
  close(): void {
    this.#closing.abort();
  }

  async #takeOver(deadNodeId: string, at: string, orphans: RecordingInfo[]): Promise<string[]> {
    const taken: string[] = [];
    for (const orphan of orphans) {
      const note = `node ${deadNodeId} died at ${at} while the recording was ${orphan.status}; composed by node ${this.#o.nodeId} from what was captured`;
      const info = await this.#o.lifecycle.takeOver(orphan.id, { deadNodeId, nodeId: this.#o.nodeId, at, note });
      if (!info) continue; // another survivor was first, or the recording was continued (NODE-REC-2)
      taken.push(info.id);
      this.#removeDeadJob(deadNodeId, info.id);
      await this.#compose(info, deadNodeId);
      await this.#linkAfter(info);
    }
    if (taken.length) this.#o.log.warn({ dead: deadNodeId, recordings: taken }, 'took over the recordings of a dead node');
    return taken;
  }

  #removeDeadJob(deadNodeId: string, id: string): void {
    void this.#o.removeDeadJob(deadNodeId, id).then((gone) => {
      if (!gone) this.#o.log.warn({ recording: id, dead: deadNodeId }, 'the dead node\'s job of a recording taken over could not be removed');
    });
  }

  /** Waits `ms`, or less if the node closes. */
  #sleep(ms: number): Promise<void> {
    const signal = this.#closing.signal;
    if (signal.aborted) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const timer = setTimeout(done, ms);
      timer.unref();
      function done() {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        resolve();
      }
      signal.addEventListener('abort', done, { once: true });
    });
  }

  /** A session started here: if the room's previous recording was taken over from a dead node, this one continues it. */
  async started(info: RecordingInfo): Promise<void> {
    const earlier = (await this.#o.lifecycle.store.listByRoom(info.roomId)).filter((r) => r.id !== info.id && r.startedAt <= info.startedAt);
    const previous = earlier.at(-1);
    if (previous && DIED.test(previous.note ?? '')) await this.#link(previous, info);
  }

  async #compose(info: RecordingInfo, deadNodeId: string): Promise<void> {
    const { lifecycle, queue } = this.#o;
    // The manifest is written when the first track opens: without it nothing was captured.
    if (!fs.existsSync(recordingLayout.manifest(this.#o.recordingsDir, info.id))) {
      await lifecycle.fail(info.id, `node ${deadNodeId} died before anything of the recording was captured`);
      return;
    }
    const data: RecordingJobData = { recordingId: info.id, roomId: info.roomId, controlUrl: this.#o.controlUrl(), startedAt: info.startedAt, mode: 'compose' };
    try {
      await queue.remove(info.id);
      await queue.add('compose', data, { jobId: info.id, attempts: 1, removeOnComplete: 1000, removeOnFail: 1000 });
    } catch (error) {
      await lifecycle.fail(info.id, `node ${deadNodeId} died and the composition could not be queued: ${(error as Error).message}`);
    }
  }

  /** The room reopened here before the death was known: the session started since continues this one. */
  async #linkAfter(taken: RecordingInfo): Promise<void> {
    const next = (await this.#o.lifecycle.store.listByRoom(taken.roomId)).find((r) => r.id !== taken.id && r.startedAt >= taken.startedAt);
    if (next) await this.#link(taken, next);
  }

  /** Notes on both (once each, whichever of the death and the new session is known first). */
  async #link(previous: RecordingInfo, next: RecordingInfo): Promise<void> {
    const store = this.#o.lifecycle.store;
    const died = DIED.exec(previous.note ?? '');
    const current = await store.get(next.id);
    if (!current || current.note?.includes(`continues ${previous.id}`)) return;
    await store.addNote(next.id, `continues ${previous.id} (node ${died?.[1] ?? '?'} died at ${died?.[2] ?? '?'})`);
    await store.addNote(previous.id, `continued by ${next.id}`);
    this.#o.log.info({ previous: previous.id, next: next.id, room: next.roomId }, 'a recording continues one a dead node left');
  }
}
