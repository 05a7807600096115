import fs from 'node:fs';

/** `/healthz`'s `recording.disk` (DISK-2). */
export interface RecordingDiskHealth {
  freeBytes: number;
  totalBytes: number;
  minFreeBytes: number;
  /** Free space under `minFreeBytes`: new recordings do not start (DISK-1). */
  low: boolean;
}

/**
 * The recordings' disk (DISK-1, DISK-2 in recorder/README.md): how much of the file system that
 * holds RECORDINGS_DIR is free, read when asked (statfs costs microseconds). Captured tracks,
 * composed files and the kept tracks of failed recordings all live there, so they all count.
 */
export class RecordingDisk {
  readonly #dir: string;
  /** Settable for tests and at run time; RECORDINGS_MIN_FREE_MB at start. */
  minFreeBytes: number;

  constructor(dir: string, minFreeBytes: number) {
    this.#dir = dir;
    this.minFreeBytes = minFreeBytes;
  }

  health(): RecordingDiskHealth {
    const stats = fs.statfsSync(this.#dir);
    const freeBytes = stats.bavail * stats.bsize;
    return { freeBytes, totalBytes: stats.blocks * stats.bsize, minFreeBytes: this.minFreeBytes, low: freeBytes < this.minFreeBytes };
  }

  get low(): boolean {
    return this.health().low;
  }
}
