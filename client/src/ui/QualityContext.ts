import { createContext } from 'react';
import type { QualityMonitor } from '../media/QualityMonitor';

/** The meeting's connection levels (RoomClient.quality), for the tiles' indicators. */
export const QualityContext = createContext<QualityMonitor | null>(null);
