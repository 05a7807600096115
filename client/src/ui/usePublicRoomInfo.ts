import { createContext, useContext, useEffect, useState } from 'react';
import type { PublicRoomInfo } from '@nomades/shared';
import { fetchPublicRoomInfo } from '../media/roomInfo';

/**
 * NAME-3: the room's public information (human name, recording notice, who may invite), asked once
 * per page; null until it comes, and if it cannot be had (the page then shows the room's id and
 * the join itself says what is wrong).
 */
export function usePublicRoomInfo(roomId: string): PublicRoomInfo | null {
  const [info, setInfo] = useState<PublicRoomInfo | null>(null);
  useEffect(() => {
    let active = true;
    fetchPublicRoomInfo(roomId).then(
      (answer) => active && setInfo(answer),
      (error: unknown) => console.warn('room information unavailable', error),
    );
    return () => {
      active = false;
    };
  }, [roomId]);
  return info;
}

/** The page's room information, for the meeting's sharing controls (RoomPage provides it). */
export const RoomInfoContext = createContext<PublicRoomInfo | null>(null);
export const useRoomInfo = (): PublicRoomInfo | null => useContext(RoomInfoContext);
