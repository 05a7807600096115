/**
 * The rooms this node hosts, kept in memory so that they can be claimed again when Redis comes
 * back empty. Redis is the reference while it is up: sync() replaces the set with Redis's list
 * (rooms other nodes placed here, rooms released elsewhere), keeping the local changes made
 * while that list was on its way, which it may or may not include depending on the order in
 * which Redis ran the commands.
 */
export class HostedRooms {
  readonly #rooms = new Set<string>();
  /** Local changes since beginSync(): room -> hosted (true) or not (false). */
  #pending: Map<string, boolean> | undefined;

  get size(): number {
    return this.#rooms.size;
  }

  has(room: string): boolean {
    return this.#rooms.has(room);
  }

  list(): string[] {
    return [...this.#rooms];
  }

  add(room: string): void {
    this.#rooms.add(room);
    this.#pending?.set(room, true);
  }

  delete(room: string): boolean {
    this.#pending?.set(room, false);
    return this.#rooms.delete(room);
  }

  /** Call right before sending the command whose answer will be given to sync(). */
  beginSync(): void {
    this.#pending = new Map();
  }

  sync(members: string[]): void {
    const pending = this.#pending ?? new Map<string, boolean>();
    this.#pending = undefined;
    this.#rooms.clear();
    for (const room of members) this.#rooms.add(room);
    for (const [room, hosted] of pending) {
      if (hosted) this.#rooms.add(room);
      else this.#rooms.delete(room);
    }
  }

  /** The sync was abandoned (the command failed): the local set stays as it is. */
  abortSync(): void {
    this.#pending = undefined;
  }
}
