/** What a node reports of its work at each heartbeat. */
export interface NodeLoad {
  rooms: number;
  sessions: number;
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

/** Parses a heartbeat record written by a directory; throws on anything else (a foreign key under our prefix). */
export function parseNodeInfo(json: string): NodeInfo {
  const v = JSON.parse(json) as Partial<NodeInfo>;
  const ok =
    typeof v.id === 'string' &&
    typeof v.url === 'string' &&
    typeof v.startedAt === 'number' &&
    typeof v.draining === 'boolean' &&
    typeof v.load?.rooms === 'number' &&
    typeof v.load?.sessions === 'number';
  if (!ok) throw new Error(`not a node record: ${json.slice(0, 200)}`);
  return v as NodeInfo;
}
