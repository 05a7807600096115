import {
  AppError,
  type MediaSource,
  type ModeratedSource,
  type Role,
} from '@nomades/shared';
import type { Logger } from '../logging/logger.js';
import type { Peer } from '../rooms/Peer.js';
import type { Room } from '../rooms/Room.js';
import type { RoomRegistry } from '../rooms/RoomRegistry.js';

/** Who asks: a host in the room (its peer id), or the admin API. */
export type Actor = { peerId: string } | 'admin';

/** The sources a moderated source covers (screen: its video and its audio). */
export function sourcesOf(source: ModeratedSource): MediaSource[] {
  return source === 'screen' ? ['screen', 'screen-audio'] : [source];
}

export function moderatedSourceOf(source: MediaSource): ModeratedSource {
  return source === 'screen-audio' ? 'screen' : source;
}

/**
 * The moderation operations on a live room (MOD-n), shared by the signaling handlers (a host in
 * the room) and the admin API. Rights are checked by the callers. Lock and lobby act on the
 * room's RoomControls directly (they work before anyone joined).
 */
export class Moderator {
  readonly #log: Logger;

  constructor(log: Logger) {
    this.#log = log.child({ name: 'moderation' });
  }

  /** Mutes a microphone (pauses it) or stops a camera/screen (closes it); `lock` forbids unmuting. */
  async mute(room: Room, peerId: string, source: ModeratedSource, lock: boolean, by: Actor): Promise<void> {
    const target = peerOf(room, peerId);
    await this.#muteOne(room, target, source, lock);
    this.#log.info({ room: room.id, peer: peerId, source, lock, by: actorName(by) }, 'muted by a host');
  }

  unlock(room: Room, peerId: string, source: ModeratedSource): void {
    room.controls.unlockMedia(peerOf(room, peerId).identity, source);
  }

  /** Pauses every microphone but the actor's; answers how many were muted. */
  async muteAll(room: Room, lock: boolean, by: Actor): Promise<number> {
    let muted = 0;
    for (const peer of [...room.peers()]) {
      if (by !== 'admin' && peer.id === by.peerId) continue;
      if (await this.#muteOne(room, peer, 'microphone', lock)) muted++;
    }
    this.#log.info({ room: room.id, muted, lock, by: actorName(by) }, 'muted everyone');
    return muted;
  }

  /**
   * Removes a peer and remembers its identity and token id as banned from the room (MOD-4); a
   * guest's address too (ACCESS-6). The ban also ends the identity's board connections (ACCESS-1).
   */
  remove(room: Room, peerId: string, by: Actor): void {
    const target = peerOf(room, peerId);
    if (target.guest && target.address) room.controls.flagAddress(target.address);
    room.controls.ban(target.identity, target.tokenId);
    this.#log.info({ room: room.id, peer: peerId, by: actorName(by) }, 'participant removed');
    target.kick('REMOVED', 'a host removed you from the meeting');
    room.removePeer(target);
  }

  /**
   * Promote/demote (MOD-6): hosts keep their role; demoting to attendee closes every producer. The
   * role belongs to the identity for the room (rejoins keep it) and reaches its board connections.
   */
  setRole(room: Room, peerId: string, role: Exclude<Role, 'host'>, by: Actor): void {
    const target = peerOf(room, peerId);
    if (target.role === 'host') throw new AppError('FORBIDDEN', 'a host keeps the host role');
    if (target.role === role) return;
    target.role = role;
    room.controls.setRoleOf(target.identity, role);
    if (role === 'attendee') for (const producer of [...target.media.producers.values()]) producer.close();
    room.broadcast('roleChanged', { peerId, role });
    this.#log.info({ room: room.id, peer: peerId, role, by: actorName(by) }, 'role changed');
  }

  setHand(room: Room, peerId: string, raised: boolean): void {
    const target = peerOf(room, peerId);
    room.controls.setHand(target.id, target.displayName, raised);
  }

  async #muteOne(room: Room, target: Peer, source: ModeratedSource, lock: boolean): Promise<boolean> {
    if (lock) room.controls.lockMedia(target.identity, source);
    let acted = false;
    for (const producer of [...target.media.producers.values()]) {
      if (!sourcesOf(source).includes(producer.appData.source)) continue;
      acted = true;
      if (source === 'microphone') {
        if (producer.paused) continue;
        await target.media.pauseProducer(producer.id); // the room tells the others (producerPaused)
      } else {
        target.media.closeProducer(producer.id); // the room tells the others (producerClosed, consumerClosed)
      }
    }
    if (acted || lock) target.notify('mutedByHost', { source, locked: lock });
    return acted;
  }
}

/** The live room of `roomId`, or NOT_FOUND when nobody is in it. */
export function liveRoom(registry: RoomRegistry, roomId: string): Room {
  const room = registry.get(roomId);
  if (!room || room.closed) throw new AppError('NOT_FOUND', 'nobody is in this room');
  return room;
}

function peerOf(room: Room, peerId: string): Peer {
  const peer = room.getPeer(peerId);
  if (!peer) throw new AppError('NOT_FOUND', 'no such participant in this room');
  return peer;
}

function actorName(by: Actor): string {
  return by === 'admin' ? 'admin' : by.peerId;
}
