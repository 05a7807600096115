/** The recorder (BullMQ worker + ffmpeg); `main.ts` runs it as a process. See recorder/README.md. */
export { RecorderWorker, type RecorderOptions } from './RecorderWorker.js';
export { composePlan, layout, type PlannedTrack } from './composePlan.js';
export { probeFile, probeTrack } from './ffmpeg.js';
