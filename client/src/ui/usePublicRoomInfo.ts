import { createContext, useContext, useEffect, useState } from 'react';
import type { PublicRoomInfo } from '@nomades/shared';
import { fetchPublicRoomInfo } from '../media/roomInfo';

/**
 * NAME-3: the room's public information (human name, recording notice, who may invite), asked once
 * per page; null until it comes, and if it cannot be had (the page then shows the room's id and
 * the join itself says what is wrong).
 */
export function usePublicRoomInfo(roomId: string): PublicRoomInfo | null {
  return usePublicRoomInfoState(roomId).info;
}

/** The same, with `settled`: the answer came, or it will not (for a choice that must wait for it). */
export function usePublicRoomInfoState(roomId: string): { info: PublicRoomInfo | null; settled: boolean } {
  const [state, setState] = useState<{ info: PublicRoomInfo | null; settled: boolean }>({ info: null, settled: false });
  useEffect(() => {
    let active = true;
    fetchPublicRoomInfo(roomId).then(
      (answer) => active && setState({ info: answer, settled: true }),
      (error: unknown) => {
        console.warn('room information unavailable', error);
        if (active) setState({ info: null, settled: true });
      },
    );
    return () => {
      active = false;
    };
  }, [roomId]);
  return state;
}

/** The page's room information, for the meeting's sharing controls (RoomPage provides it). */
export const RoomInfoContext = createContext<PublicRoomInfo | null>(null);
export const useRoomInfo = (): PublicRoomInfo | null => useContext(RoomInfoContext);
