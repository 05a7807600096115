/** What a node reports of its work at each heartbeat. */
export interface NodeLoad {
  rooms: number;
  sessions: number;
  /** SPAN-5: the media participants it hosts, its rooms' and the shards it serves as an annex (absent: 0). */
  participants?: number;
}

/** One node of the service as the directory knows it (the JSON of its heartbeat key). */
export interface NodeInfo {
  id: string;
  /** Where clients and other nodes reach it, e.g. http://127.0.0.1:3001. */
  url: string;
  /** ms since the epoch, on the node's own clock. */
  startedAt: number;
  load: NodeLoad;
  /** A draining node keeps its rooms but receives no new ones. */
  draining: boolean;
  /** SPAN-5: its software version (an annex runs the home's version). '' for a record of a node older than the field. */
  version: string;
  /**
   * SPAN-2: where the other nodes open the node link to it, its own address (never through the
   * front). Absent: the others cannot link to it (it is never an annex).
   */
  linkUrl?: string;
  /** SPAN-5: NODE_MAX_PARTICIPANTS; absent: no limit. */
  maxParticipants?: number;
}

/** The answer of placeRoom(). */
export interface Placement {
  /** The room's home, alive at the time of the answer. */
  node: NodeInfo;
  /** True when this call chose the home (the room had none, or its home was dead). */
  placed: boolean;
  /** The dead home the room was moved from, when `placed` moved it. */
  previousHome?: string;
}

/** The answer of placeAnnex(). */
export interface AnnexPlacement {
  /** The room's annex, alive at the time of the answer. */
  node: NodeInfo;
  /** True when this call chose it (the room had none, or its annex was dead, or is now its home). */
  placed: boolean;
  /** The annex it replaced, when `placed` replaced one. */
  previousAnnex?: string;
}

/** Parses a heartbeat record written by a directory; throws on anything else (a foreign key under our prefix). */
export function parseNodeInfo(json: string): NodeInfo {
  const v = JSON.parse(json) as Partial<NodeInfo>;
  const ok =
    typeof v.id === 'string' &&
    typeof v.url === 'string' &&
    typeof v.startedAt === 'number' &&
    typeof v.draining === 'boolean' &&
    typeof v.load?.rooms === 'number' &&
    typeof v.load?.sessions === 'number' &&
    (v.load.participants === undefined || typeof v.load.participants === 'number') &&
    (v.version === undefined || typeof v.version === 'string') &&
    (v.linkUrl === undefined || typeof v.linkUrl === 'string') &&
    (v.maxParticipants === undefined || typeof v.maxParticipants === 'number');
  if (!ok) throw new Error(`not a node record: ${json.slice(0, 200)}`);
  return { ...v, version: v.version ?? '' } as NodeInfo;
}
