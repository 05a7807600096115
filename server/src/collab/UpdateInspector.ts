import * as Y from 'yjs';

/** What a client update may do; `checkInsert` validates the values inserted under a root. */
export interface UpdateRules {
  /** Root types a client may insert into or delete from. */
  writableRoots: ReadonlySet<string>;
  /** Returns why `values` may not be inserted under `root` (map key `key`), or null. */
  checkInsert(root: string, key: string | null, values: unknown[]): string | null;
}

/** Transaction origin of a client update applied to the shadow for inspection. */
const INSPECT_ORIGIN = Symbol('collab-inspect');

/**
 * Judges a client's Yjs update by its effect (COL-5), with Yjs itself: the inspector keeps a
 * shadow replica of one live document (same gc setting), applies the update to the shadow, and
 * looks at what that transaction did. Every struct it inserted (beforeState → afterState of each
 * client) must be an Item linked into a root clients may write (its neighbours have the same
 * parent: an item Yjs links next to another type's item is refused whatever parent it names),
 * with JSON content that passes `rules.checkInsert`; every item it deleted must belong to a
 * writable root; and Yjs must have nothing pending afterwards (pendingStructs, pendingDs: work
 * deferred until data the server does not have arrives, which nobody could check then).
 *
 * An accepted update is then applied to the live document at once (`commit`), in the same
 * synchronous step, so nothing (a server chat write) can change the live document between the
 * judgement and the write. A refused update has changed the shadow: it is rebuilt from the live
 * document. Every other live update is mirrored with `follow`.
 */
export class UpdateInspector {
  #shadow: Y.Doc;
  #committing = false;

  constructor(
    private readonly live: Y.Doc,
    private readonly rules: UpdateRules,
  ) {
    this.#shadow = this.#replica();
  }

  /** Mirrors a live-document update that did not come through `commit` (load, server chat writes). */
  follow(update: Uint8Array): void {
    if (this.#committing) return;
    try {
      Y.applyUpdate(this.#shadow, update);
    } catch {
      this.#rebuild(); // never expected: a live update always applies; start over from the live document
    }
  }

  /** Returns why the update is refused, or null; the shadow then holds it, ready for `commit`. */
  inspect(update: Uint8Array): string | null {
    const problem = this.#precheck(update) ?? this.#tryOnShadow(update);
    if (problem) this.#rebuild();
    return problem;
  }

  /** Applies an update accepted by `inspect` (just before, same tick) to the live document. */
  commit(update: Uint8Array, origin: unknown): void {
    this.#committing = true;
    try {
      Y.applyUpdate(this.live, update, origin);
    } finally {
      this.#committing = false;
    }
  }

  /** Frees the shadow. */
  destroy(): void {
    this.#shadow.destroy();
  }

  /** Cheap refusals that need no shadow (and leave nothing to rebuild). */
  #precheck(update: Uint8Array): string | null {
    let decoded: ReturnType<typeof Y.decodeUpdate>;
    try {
      decoded = Y.decodeUpdate(update);
    } catch {
      return 'the update cannot be decoded';
    }
    if (decoded.structs.some((s) => s instanceof Y.Skip)) return 'the update has gaps (skip structs)';
    return null;
  }

  #tryOnShadow(update: Uint8Array): string | null {
    const shadow = this.#shadow;
    let verdict: string | null = null;
    const judge = (transaction: Y.Transaction): void => {
      if (transaction.origin !== INSPECT_ORIGIN) return;
      try {
        verdict = this.#judge(transaction);
      } catch {
        verdict = 'the update cannot be inspected';
      }
    };
    // Before Yjs garbage-collects and merges (afterTransaction runs first): the structs are as integrated.
    shadow.on('afterTransaction', judge);
    try {
      Y.applyUpdate(shadow, update, INSPECT_ORIGIN);
    } catch {
      return 'the update cannot be applied';
    } finally {
      shadow.off('afterTransaction', judge);
    }
    if (verdict) return verdict;
    if (shadow.store.pendingStructs !== null || shadow.store.pendingDs !== null) {
      return 'the update depends on data the server does not have';
    }
    return null;
  }

  #judge(transaction: Y.Transaction): string | null {
    const store = this.#shadow.store;
    const roots = new Map<Y.AbstractType<any>, string>();
    this.#shadow.share.forEach((type, name) => roots.set(type, name));
    for (const [client, after] of transaction.afterState) {
      const before = transaction.beforeState.get(client) ?? 0;
      if (after <= before) continue;
      const structs = store.clients.get(client);
      if (!structs) continue;
      for (let i = Y.findIndexSS(structs, before); i < structs.length; i++) {
        const struct = structs[i];
        if (struct instanceof Y.GC) continue; // integrated as garbage: no visible effect
        const problem = this.#checkInserted(struct as Y.Item, roots);
        if (problem) return problem;
      }
    }
    let problem: string | null = null;
    Y.iterateDeletedStructs(transaction, transaction.deleteSet, (struct) => {
      if (problem || !(struct instanceof Y.Item)) return;
      const root = roots.get(struct.parent as Y.AbstractType<any>);
      if (root === undefined || !this.rules.writableRoots.has(root)) problem = `clients may not delete from "${root ?? 'a nested type'}"`;
    });
    return problem;
  }

  #checkInserted(item: Y.Item, roots: Map<Y.AbstractType<any>, string>): string | null {
    const parent = item.parent as Y.AbstractType<any> | null;
    const root = parent ? roots.get(parent) : undefined;
    if (parent === null || root === undefined) return 'nested shared types are not allowed';
    if (!this.rules.writableRoots.has(root)) return `clients may not write "${root}"`;
    // Where Yjs actually linked the item: next to its neighbours, which must share its parent and key.
    for (const neighbour of [item.left, item.right]) {
      if (neighbour === null) continue;
      if (!(neighbour instanceof Y.Item) || neighbour.parent !== parent || neighbour.parentSub !== item.parentSub) {
        return `the update links an item of "${root}" into another type`;
      }
    }
    if (item.left === null && item.parentSub === null && parent._start !== item) {
      return `the update links an item of "${root}" into another type`;
    }
    if (item.right === null && item.parentSub !== null && parent._map.get(item.parentSub) !== item) {
      return `the update links an item of "${root}" into another type`;
    }
    if (item.content instanceof Y.ContentDeleted) return null;
    if (!(item.content instanceof Y.ContentAny)) return 'only JSON values may be inserted';
    return this.rules.checkInsert(root, item.parentSub, item.content.getContent());
  }

  #rebuild(): void {
    this.#shadow.destroy();
    this.#shadow = this.#replica();
  }

  #replica(): Y.Doc {
    const shadow = new Y.Doc({ gc: this.live.gc, gcFilter: this.live.gcFilter });
    Y.applyUpdate(shadow, Y.encodeStateAsUpdate(this.live));
    return shadow;
  }
}
