import type { ModeratedSource, RequestData, ResponseData, Role, RoomControls } from '@nomades/shared';
import { ClientError } from './ClientError';
import type { Notice } from './Notice';
import type { SignalingClient } from './SignalingClient';
import { TypedEmitter } from './TypedEmitter';

/** What the UI shows of moderation: controls from the server (the lobby's entries among them), our role. */
export interface ModerationSnapshot {
  /** Our current role (changes on promote/demote). */
  role: Role | null;
  controls: RoomControls;
  /** Roles changed during the meeting, by peer id (the join-time roles are in the peer list). */
  roles: ReadonlyMap<string, Role>;
  /** Last moderation event worth telling the user (a host muted our microphone…), as a code. */
  notice: Notice | null;
}

export interface ModerationEvents extends Record<string, unknown[]> {
  change: [];
  /** A host muted our microphone or stopped our camera/screen: the RoomClient stops it locally. */
  muted: [source: ModeratedSource];
  /** Our role changed. */
  role: [role: Role];
}

const EMPTY: RoomControls = { locked: false, lobbyEnabled: false, hands: [], lobby: [], myLocks: [] };

/**
 * The moderation side of a RoomClient: the room's controls, hands, and the host's commands
 * (MOD-n / LOBBY-n in docs/spec/signaling.md). The wait in the lobby is MeetingSession's. The
 * server enforces every right; this only mirrors its state and sends requests.
 */
export class ModerationClient extends TypedEmitter<ModerationEvents> {
  private readonly signaling: SignalingClient;
  private snapshot: ModerationSnapshot = { role: null, controls: EMPTY, roles: new Map(), notice: null };
  private selfId = '';

  constructor(signaling: SignalingClient) {
    super();
    this.signaling = signaling;
    signaling.on('roomControls', (controls) => this.update({ controls }));
    signaling.on('roleChanged', ({ peerId, role }) => {
      const roles = new Map(this.snapshot.roles).set(peerId, role);
      if (peerId !== this.selfId) return this.update({ roles });
      this.update({ roles, role, notice: { code: role === 'attendee' ? 'roleAttendee' : 'roleSpeaker' } });
      this.emit('role', role);
    });
    signaling.on('mutedByHost', ({ source, locked }) => {
      this.update({ notice: { code: 'mutedByHost', params: { source, locked: String(locked) } } });
      this.emit('muted', source);
    });
  }

  readonly getSnapshot = (): ModerationSnapshot => this.snapshot;
  readonly subscribe = (listener: () => void): (() => void) => this.on('change', listener);

  /** A join (first or anew) was answered: our peer id and role. */
  joined(answer: ResponseData<'join'>): void {
    this.selfId = answer.peerId;
    this.update({ role: answer.role });
  }

  close(): void {
    this.removeAllListeners();
  }

  setHand(raised: boolean, peerId?: string): Promise<unknown> {
    return this.send('setHand', peerId ? { raised, peerId } : { raised });
  }

  mute(peerId: string, source: ModeratedSource, lock = false): Promise<unknown> {
    return this.send('muteParticipant', { peerId, source, lock });
  }

  muteAll(): Promise<unknown> {
    return this.send('muteAll', {});
  }

  remove(peerId: string): Promise<unknown> {
    return this.send('removeParticipant', { peerId });
  }

  setRole(peerId: string, role: 'participant' | 'attendee'): Promise<unknown> {
    return this.send('setRole', { peerId, role });
  }

  setLocked(locked: boolean): Promise<unknown> {
    return this.send('setRoomLock', { locked });
  }

  setLobby(enabled: boolean): Promise<unknown> {
    return this.send('setLobby', { enabled });
  }

  admit(id: string): Promise<unknown> {
    return this.send('admitFromLobby', { id });
  }

  refuse(id: string): Promise<unknown> {
    return this.send('refuseFromLobby', { id });
  }

  dismissNotice(): void {
    this.update({ notice: null });
  }

  private async send<N extends 'setHand' | 'muteParticipant' | 'muteAll' | 'removeParticipant' | 'setRole' | 'setRoomLock' | 'setLobby' | 'admitFromLobby' | 'refuseFromLobby'>(
    name: N,
    data: RequestData<N>,
  ): Promise<unknown> {
    try {
      return await this.signaling.request(name, data);
    } catch (error) {
      this.update({ notice: { code: 'requestFailed', cause: ClientError.from(error).toPayload() } });
      return undefined;
    }
  }

  private update(patch: Partial<ModerationSnapshot>): void {
    this.snapshot = { ...this.snapshot, ...patch };
    this.emit('change');
  }
}
