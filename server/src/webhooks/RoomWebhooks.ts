import type { Room } from '../rooms/Room.js';
import type { RoomRegistry } from '../rooms/RoomRegistry.js';
import type { Webhooks } from './WebhookTypes.js';

/**
 * Turns room lifecycle events into webhooks (HOOK-1): room.started / room.ended when a live room
 * opens and closes, participant.joined / participant.left for each peer.
 */
export class RoomWebhooks {
  readonly #registry: RoomRegistry;
  readonly #hooks: Webhooks;
  readonly #onOpened = (room: Room): void => this.#watch(room);

  constructor(registry: RoomRegistry, hooks: Webhooks) {
    this.#registry = registry;
    this.#hooks = hooks;
    if (hooks.enabled) registry.on('roomopened', this.#onOpened);
  }

  #watch(room: Room): void {
    const started = new Date();
    const joinedAt = new Map<string, number>();
    const roomId = room.id;
    this.#hooks.emit('room.started', { roomId, name: room.info.name, mode: room.info.mode, startedAt: started.toISOString() });
    room.on('peerjoined', (peer) => {
      joinedAt.set(peer.id, Date.now());
      this.#hooks.emit('participant.joined', {
        roomId,
        peerId: peer.id,
        identity: peer.identity,
        displayName: peer.displayName,
        role: peer.role,
        guest: peer.guest,
      });
    });
    room.on('peerleft', (peer) => {
      const since = joinedAt.get(peer.id) ?? Date.now();
      joinedAt.delete(peer.id);
      this.#hooks.emit('participant.left', {
        roomId,
        peerId: peer.id,
        identity: peer.identity,
        displayName: peer.displayName,
        durationMs: Date.now() - since,
      });
    });
    room.once('close', () => {
      const ended = new Date();
      this.#hooks.emit('room.ended', {
        roomId,
        startedAt: started.toISOString(),
        endedAt: ended.toISOString(),
        durationMs: ended.getTime() - started.getTime(),
      });
    });
  }

  close(): void {
    this.#registry.off('roomopened', this.#onOpened);
  }
}
