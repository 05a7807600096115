type Listener = (...args: unknown[]) => void;

/** A minimal event emitter typed by an event map: `{ name: [arg1, arg2] }`. */
export class TypedEmitter<Events extends Record<string, unknown[]>> {
  private readonly listeners = new Map<keyof Events, Set<Listener>>();

  on<K extends keyof Events>(name: K, listener: (...args: Events[K]) => void): () => void {
    let set = this.listeners.get(name);
    if (!set) this.listeners.set(name, (set = new Set()));
    set.add(listener as unknown as Listener);
    return () => this.off(name, listener);
  }

  off<K extends keyof Events>(name: K, listener: (...args: Events[K]) => void): void {
    this.listeners.get(name)?.delete(listener as unknown as Listener);
  }

  /** Calls every listener; one that throws is reported and does not stop the others. */
  protected emit<K extends keyof Events>(name: K, ...args: Events[K]): void {
    for (const listener of [...(this.listeners.get(name) ?? [])]) {
      try {
        listener(...args);
      } catch (error) {
        console.error(`listener of "${String(name)}" threw`, error);
      }
    }
  }

  protected removeAllListeners(): void {
    this.listeners.clear();
  }
}
