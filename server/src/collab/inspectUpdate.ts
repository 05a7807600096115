import * as Y from 'yjs';

/** Where an inserted item lands: a root type (and map key), or a reason it cannot be accepted. */
type Landing = { root: string; key: string | null } | 'gc' | 'nested' | 'missing';

/** What a client update may do; `checkInsert` validates the values inserted under a root. */
export interface UpdateRules {
  /** Root types a client may insert into or delete from. */
  writableRoots: ReadonlySet<string>;
  /** Returns why `values` may not be inserted under `root` (map key `key`), or null. */
  checkInsert(root: string, key: string | null, values: unknown[]): string | null;
}

/**
 * Decides, before it is applied, whether a client's Yjs update only touches what clients may
 * write. It resolves the parent of every new item the way Yjs will when integrating it (explicit
 * root name, else left origin, else right origin, through items of the update itself or of the
 * document), and checks deletions against the document's items. Returns the reason of a refusal,
 * or null. Refused: undecodable updates, nested types, content other than JSON values, items or
 * deletions in non-writable roots, and items whose neighbours are unknown (the server never keeps
 * pending structs it cannot check).
 */
export function inspectUpdate(doc: Y.Doc, update: Uint8Array, rules: UpdateRules): string | null {
  let decoded: ReturnType<typeof Y.decodeUpdate>;
  try {
    decoded = Y.decodeUpdate(update);
  } catch {
    return 'the update cannot be decoded';
  }
  const roots = new Map<Y.AbstractType<any>, string>();
  doc.share.forEach((type, name) => roots.set(type, name));
  const byClient = new Map<number, Array<Y.Item | Y.GC | Y.Skip>>();
  for (const s of decoded.structs) {
    let list = byClient.get(s.id.client);
    if (!list) byClient.set(s.id.client, (list = []));
    list.push(s);
  }
  const memo = new Map<Y.Item, Landing>();

  const inUpdate = (id: Y.ID): Y.Item | Y.GC | Y.Skip | undefined => {
    const list = byClient.get(id.client);
    if (!list) return undefined;
    let lo = 0;
    let hi = list.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const s = list[mid];
      if (id.clock < s.id.clock) hi = mid - 1;
      else if (id.clock >= s.id.clock + s.length) lo = mid + 1;
      else return s;
    }
    return undefined;
  };
  const landingOfDocItem = (id: Y.ID): Landing | undefined => {
    if (id.clock >= Y.getState(doc.store, id.client)) return undefined;
    const struct = Y.getItem(doc.store, id);
    if (!(struct instanceof Y.Item)) return 'gc';
    const parent = struct.parent as Y.AbstractType<any> | null;
    const root = parent ? roots.get(parent) : undefined;
    return root === undefined ? 'nested' : { root, key: struct.parentSub };
  };

  type Neighbour = { landing: Landing } | { item: Y.Item } | null;
  const neighbour = (id: Y.ID | null): Neighbour => {
    if (id === null) return null;
    const fromDoc = landingOfDocItem(id);
    if (fromDoc) return { landing: fromDoc };
    const s = inUpdate(id);
    if (s instanceof Y.Item) return { item: s };
    return { landing: s instanceof Y.GC ? 'gc' : 'missing' };
  };

  /**
   * Mirrors Item.getMissing: a GC neighbour makes the item garbage; otherwise the parent is the
   * left neighbour's, else the right one's. Iterative: chains of thousands of items in one
   * update must not overflow the stack.
   */
  const landingOf = (item: Y.Item): Landing => {
    const path: Y.Item[] = [];
    let current = item;
    let result: Landing | undefined;
    while (result === undefined) {
      const known = memo.get(current);
      if (known) {
        result = known;
        break;
      }
      path.push(current);
      if (typeof current.parent === 'string') result = { root: current.parent, key: current.parentSub };
      else if (current.parent !== null) result = 'nested';
      else if (path.length > decoded.structs.length) result = 'missing';
      else {
        const left = neighbour(current.origin);
        const right = neighbour(current.rightOrigin);
        const landings = [left, right].flatMap((n) => (n && 'landing' in n ? [n.landing] : []));
        if (landings.includes('missing')) result = 'missing';
        else if (landings.includes('gc')) result = 'gc';
        else {
          const pick = left ?? right;
          if (pick === null) result = 'missing';
          else if ('landing' in pick) result = pick.landing;
          else current = pick.item;
        }
      }
    }
    for (const p of path) memo.set(p, result);
    return result;
  };

  for (const s of decoded.structs) {
    if (!(s instanceof Y.Item)) {
      if (s instanceof Y.Skip) return 'the update has gaps (skip structs)';
      continue;
    }
    if (s.id.clock + s.length <= Y.getState(doc.store, s.id.client)) continue; // already known: a no-op
    const landing = landingOf(s);
    if (landing === 'gc') continue;
    if (landing === 'nested') return 'nested shared types are not allowed';
    if (landing === 'missing') return 'the update depends on data the server does not have';
    if (!rules.writableRoots.has(landing.root)) return `clients may not write "${landing.root}"`;
    if (s.content instanceof Y.ContentDeleted) continue;
    if (!(s.content instanceof Y.ContentAny)) return 'only JSON values may be inserted';
    const problem = rules.checkInsert(landing.root, landing.key, s.content.getContent());
    if (problem) return problem;
  }

  for (const [client, ranges] of decoded.ds.clients) {
    const state = Y.getState(doc.store, client);
    const structs = doc.store.clients.get(client);
    if (!structs) continue;
    for (const { clock, len } of ranges) {
      const end = Math.min(clock + len, state);
      if (clock >= end) continue;
      for (let i = Y.findIndexSS(structs, clock); i < structs.length && structs[i].id.clock < end; i++) {
        const s = structs[i];
        if (!(s instanceof Y.Item) || s.deleted) continue;
        const root = roots.get(s.parent as Y.AbstractType<any>);
        if (root === undefined || !rules.writableRoots.has(root)) return `clients may not delete from "${root ?? 'a nested type'}"`;
      }
    }
  }
  return null;
}
