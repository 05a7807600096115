import type { RecordingInfo } from '@nomades/shared';
import type { TestServer } from './testServer.js';
import { waitFor } from './waitFor.js';

/** GET /api/rooms/:id/recordings with the admin key (newest first); throws unless 200. */
export async function listRecordings(srv: TestServer, roomId: string): Promise<RecordingInfo[]> {
  const res = await fetch(`${srv.url}/api/rooms/${roomId}/recordings`, { headers: { authorization: `Bearer ${srv.adminKey}` } });
  if (res.status !== 200) throw new Error(`GET /api/rooms/${roomId}/recordings: ${res.status}`);
  return (await res.json()) as RecordingInfo[];
}

/** Waits for the room's latest recording to be `ready`; throws with its error if it `failed`. */
export function waitRecordingReady(srv: TestServer, roomId: string, timeoutMs: number, intervalMs = 500): Promise<RecordingInfo> {
  return waitFor(
    'the recording to be ready',
    async () => {
      const [r] = await listRecordings(srv, roomId);
      if (r?.status === 'failed') throw new Error(`recording failed: ${r.error}`);
      return r?.status === 'ready' ? r : undefined;
    },
    timeoutMs,
    intervalMs,
  );
}
