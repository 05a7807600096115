import { useEffect, useState, useSyncExternalStore } from 'react';
import { atom, createTLStore, defaultBindingUtils, defaultShapeUtils, type TLStoreWithStatus } from 'tldraw';
import { bindBoard } from './bindBoard';
import type { CollabClient } from './CollabClient';

/** A tldraw store bound to the room's document once it is synced (see bindBoard). */
export function useBoardStore(collab: CollabClient): TLStoreWithStatus {
  const snapshot = useSyncExternalStore(collab.subscribe, collab.getSnapshot);
  const synced = snapshot.status === 'synced' || snapshot.status === 'offline';
  const [state, setState] = useState<TLStoreWithStatus>({ status: 'loading' });
  const [connection] = useState(() => atom<'online' | 'offline'>('connection', 'online'));
  const [mode] = useState(() => atom<'readonly' | 'readwrite'>('mode', 'readwrite'));

  useEffect(() => {
    connection.set(snapshot.status === 'synced' ? 'online' : 'offline');
    mode.set(snapshot.readOnly ? 'readonly' : 'readwrite');
  }, [snapshot.status, snapshot.readOnly, connection, mode]);

  useEffect(() => {
    if (!synced) return;
    const store = createTLStore({ shapeUtils: defaultShapeUtils, bindingUtils: defaultBindingUtils, collaboration: { status: connection, mode } });
    let unbind: (() => void) | undefined;
    try {
      unbind = bindBoard(collab, store, collab.getSnapshot().readOnly);
      setState({ status: 'synced-remote', connectionStatus: 'online', store });
    } catch (error) {
      setState({ status: 'error', error: error instanceof Error ? error : new Error(String(error)) });
    }
    return () => {
      unbind?.();
      store.dispose();
    };
  }, [collab, synced, connection, mode]);

  return state;
}
