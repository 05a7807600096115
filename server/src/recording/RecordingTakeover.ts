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
  log: Logger;
}

/** The first words of the note of a recording taken over: how a new session knows it continues one. */
const DIED = /^node (\S+) died at (\S+)/m;

/**
 * NODE-REC-1 (recorder/README.md): when another node dies, its recordings still `recording` or
 * `processing` would stay so for ever (its recorder died with it; their jobs sit in its queue).
 * Each survivor that hears of the death tries to take every one over with one conditional update
 * (exactly one succeeds); the winner composes what was captured (the tracks and the manifest are
 * on the shared RECORDINGS_DIR: ffmpeg's Matroska with 100 ms clusters is playable when killed,
 * the manifest is rewritten at every track) with a job of mode `compose` on its own queue, as a
 * recompose (COMP-5) does. The meeting's next session, on the node where its room reopened, is
 * linked to it by the notes ("continues rec_…", "continued by rec_…"). Knows nothing of Redis's
 * node directory: ClusterNode hands it the dead node's id.
 */
export class RecordingTakeover {
  readonly #o: RecordingTakeoverOptions;

  constructor(options: RecordingTakeoverOptions) {
    this.#o = options;
  }

  /** Takes over what `deadNodeId` left unfinished; the ids this node took. Rejects only if the store does. */
  async adoptFrom(deadNodeId: string): Promise<string[]> {
    if (deadNodeId === this.#o.nodeId) return [];
    const at = new Date().toISOString();
    const taken: string[] = [];
    for (const orphan of await this.#o.lifecycle.store.unfinishedOf(deadNodeId)) {
      const note = `node ${deadNodeId} died at ${at} while the recording was ${orphan.status}; composed by node ${this.#o.nodeId} from what was captured`;
      const info = await this.#o.lifecycle.takeOver(orphan.id, { deadNodeId, nodeId: this.#o.nodeId, at, note });
      if (!info) continue; // another survivor was first
      taken.push(info.id);
      void this.#o.removeDeadJob(deadNodeId, info.id).then((gone) => {
        if (!gone) this.#o.log.warn({ recording: info.id, dead: deadNodeId }, 'the dead node\'s job of a recording taken over could not be removed');
      });
      await this.#compose(info, deadNodeId);
      await this.#linkAfter(info);
    }
    if (taken.length) this.#o.log.warn({ dead: deadNodeId, recordings: taken }, 'took over the recordings of a dead node');
    return taken;
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
