import { EventEmitter } from 'node:events';
import type { RecordingTap } from '@nomades/sfu';
import { AppError, type RecordingStream, type TapRequest, type TapResponse } from '@nomades/shared';
import type { Logger } from '../logging/logger.js';
import type { Room } from '../rooms/Room.js';

export type RecordingSessionEvents = {
  /** The session ended (room empty or closed, flag turned off, server closing). */
  close: [];
};

/**
 * One recording of one room, while it runs: the streams the recorder should capture and the
 * SFU taps it asked for (one per producer; a new request for a producer replaces the old tap,
 * which is what a recorder taking over an interrupted job does).
 */
export class RecordingSession extends EventEmitter<RecordingSessionEvents> {
  readonly id: string;
  readonly room: Room;
  readonly #listenIp: string;
  readonly #rtpAllowed: ReadonlySet<string>;
  readonly #taps = new Map<string, RecordingTap>();
  readonly #log: Logger;
  #closed = false;

  constructor(id: string, room: Room, listenIp: string, rtpAllowed: readonly string[], log: Logger) {
    super();
    this.id = id;
    this.room = room;
    this.#listenIp = listenIp;
    this.#rtpAllowed = new Set(rtpAllowed.map(normalizeIp));
    this.#log = log;
  }

  get active(): boolean {
    return !this.#closed;
  }

  streams(): RecordingStream[] {
    if (this.#closed) return [];
    const peers = new Map([...this.room.peers()].map((p) => [p.id, p]));
    return this.room.media
      .producers()
      .filter((p) => !p.closed && peers.has(p.appData.peerId))
      .map((p) => ({
        producerId: p.id,
        peerId: p.appData.peerId,
        identity: peers.get(p.appData.peerId)!.identity,
        displayName: peers.get(p.appData.peerId)!.displayName,
        kind: p.kind,
        source: p.appData.source,
      }));
  }

  /** REC-9: a tap sends RTP only to one of the recorders' configured addresses (RECORDER_RTP_ALLOWED). */
  async openTap(request: TapRequest): Promise<TapResponse> {
    this.#assertOpen();
    if (!this.#rtpAllowed.has(normalizeIp(request.ip))) {
      this.#log.warn({ ip: request.ip, producer: request.producerId }, 'recording tap to an address that is not a recorder refused');
      throw new AppError('FORBIDDEN', 'this address is not one of the recorders (RECORDER_RTP_ALLOWED)');
    }
    this.#taps.get(request.producerId)?.close();
    const tap = await this.room.media.createRecordingTap(request.producerId, this.#listenIp, request);
    if (this.#closed) {
      tap.close();
      this.#assertOpen();
    }
    this.#taps.set(request.producerId, tap);
    tap.once('close', () => {
      if (this.#taps.get(request.producerId) === tap) this.#taps.delete(request.producerId);
    });
    this.#log.debug({ producer: request.producerId, port: request.rtpPort }, 'recording tap opened');
    return { tapId: tap.consumer.id, kind: tap.consumer.kind, ...tap.codec };
  }

  async resumeTap(producerId: string): Promise<void> {
    this.#assertOpen();
    const tap = this.#taps.get(producerId);
    if (!tap) throw new AppError('NOT_FOUND', 'no tap for this producer');
    await tap.resume();
  }

  closeTap(producerId: string): void {
    this.#taps.get(producerId)?.close();
  }

  /** Ends the session: closes every tap. Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const tap of [...this.#taps.values()]) tap.close();
    this.#taps.clear();
    this.emit('close');
    this.removeAllListeners();
  }

  #assertOpen(): void {
    if (this.#closed) throw new AppError('CONFLICT', 'this recording session has ended');
  }
}

/** `::ffff:127.0.0.1` and `127.0.0.1` are one address; IPv6 in lower case. */
function normalizeIp(ip: string): string {
  const lower = ip.toLowerCase();
  return lower.startsWith('::ffff:') && lower.includes('.') ? lower.slice(7) : lower;
}
