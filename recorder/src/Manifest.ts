import fs from 'node:fs';
import path from 'node:path';
import { MANIFEST_FILE, type RecordingStream } from '@nomades/shared';

export interface TrackEntry extends RecordingStream {
  /** File name inside the recording's folder (Matroska, stream copy). */
  file: string;
  openedAt: string;
  closedAt?: string;
  /** ffmpeg's pid while it writes, to stop an orphan after a recorder crash. */
  pid?: number;
  host: string;
  /** Wall-clock time of its first packet (seconds), once probed (COMP-6). */
  firstPts?: number;
}

/** COMP-6: a span of the meeting composed while it ran (`segments/`), joined at the end. */
export interface SegmentEntry {
  index: number;
  /** Absolute span (seconds, wall clock). */
  from: number;
  to: number;
  /** File name inside the recording's folder. */
  file: string;
}

export interface ManifestData {
  recordingId: string;
  roomId: string;
  /** One entry per time a recorder took the job (more than one: it was interrupted and resumed). */
  attempts: Array<{ at: string; host: string; pid: number; compose?: boolean }>;
  tracks: TrackEntry[];
  /** COMP-6: segments composed so far, in order, each `to` the next one's `from`. */
  segments?: SegmentEntry[];
}

/**
 * What a recording's folder holds, in `manifest.json` (written atomically after every change),
 * so that a recorder taking over an interrupted job knows the tracks already written.
 */
export class Manifest {
  readonly dir: string;
  readonly data: ManifestData;

  private constructor(dir: string, data: ManifestData) {
    this.dir = dir;
    this.data = data;
  }

  static load(dir: string, recordingId: string, roomId: string): Manifest {
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    const file = path.join(dir, MANIFEST_FILE);
    let data: ManifestData = { recordingId, roomId, attempts: [], tracks: [] };
    if (fs.existsSync(file)) data = JSON.parse(fs.readFileSync(file, 'utf8')) as ManifestData;
    return new Manifest(dir, data);
  }

  save(): void {
    const file = path.join(this.dir, MANIFEST_FILE);
    fs.writeFileSync(`${file}.tmp`, JSON.stringify(this.data, null, 2), { mode: 0o600 });
    fs.renameSync(`${file}.tmp`, file);
  }

  addTrack(entry: TrackEntry): TrackEntry {
    this.data.tracks.push(entry);
    this.save();
    return entry;
  }

  trackPath(entry: TrackEntry): string {
    return path.join(this.dir, entry.file);
  }
}
