import crypto from 'node:crypto';
import {
  AppError,
  SHARING_LIMITS,
  type CreateInviteBody,
  type CreatedInvite,
  type InviteInfo,
  type MeetingInvite,
  type Role,
  type RoomInfo,
} from '@nomades/shared';
import type { TokenService } from '../auth/TokenService.js';
import type { InviteRow, InviteStore } from '../store/InviteStore.js';

const INVITE_TYP = 'nomades-invite+jwt';
const now = () => Math.floor(Date.now() / 1000);
const iso = (seconds: number) => new Date(seconds * 1000).toISOString();

/** The role an invitation gives by default: participant, attendee in a webinar (as ROLE-5). */
export function defaultInviteRole(room: RoomInfo): Role {
  return room.mode === 'webinar' ? 'attendee' : 'participant';
}

/**
 * Invitations (INV-n in docs/spec/sharing.md): a signed, expiring credential of its own kind (JWT
 * `typ` nomades-invite+jwt, TOKEN_SECRET) whose `jti` is a row of InviteStore holding the role,
 * the uses and the revocation. Whoever opens it gets a room token of their own (INV-4).
 */
export class InviteService {
  readonly #store: InviteStore;
  readonly #tokens: TokenService;
  readonly #publicUrl: () => string;
  #steps: Promise<void> = Promise.resolve();

  constructor(deps: { store: InviteStore; tokens: TokenService; publicUrl: () => string }) {
    this.#store = deps.store;
    this.#tokens = deps.tokens;
    this.#publicUrl = deps.publicUrl;
  }

  /** INV-1: an administrator's invitation. */
  async create(room: RoomInfo, body: CreateInviteBody): Promise<CreatedInvite> {
    const row = await this.#exclusive(() => this.#createRow(room, body));
    return { id: row.id, url: await this.#url(row), expiresAt: iso(row.expiresAt), maxUses: row.maxUses };
  }

  async #createRow(room: RoomInfo, body: CreateInviteBody): Promise<InviteRow> {
    const t = now();
    if ((await this.#store.countLive(room.id, t)) >= SHARING_LIMITS.maxLiveInvitesPerRoom) {
      throw new AppError('CONFLICT', `a room has at most ${SHARING_LIMITS.maxLiveInvitesPerRoom} live invitations: revoke one`, {
        max: SHARING_LIMITS.maxLiveInvitesPerRoom,
      });
    }
    return this.#store.insert({
      id: `inv_${crypto.randomBytes(16).toString('base64url')}`,
      roomId: room.id,
      role: body.role ?? defaultInviteRole(room),
      kind: 'admin',
      createdAt: t,
      expiresAt: t + (body.ttlSeconds ?? SHARING_LIMITS.defaultInviteTtlSeconds),
      maxUses: body.maxUses ?? null,
    });
  }

  async list(roomId: string): Promise<InviteInfo[]> {
    return Promise.all(
      (await this.#store.listByRoom(roomId)).map(async (row) => ({
        id: row.id,
        url: await this.#url(row),
        expiresAt: iso(row.expiresAt),
        maxUses: row.maxUses,
        role: row.role,
        kind: row.kind,
        createdAt: iso(row.createdAt),
        uses: row.uses,
        revoked: row.revoked,
      })),
    );
  }

  /** INV-3: NOT_FOUND when the room has no such invitation. */
  async revoke(roomId: string, inviteId: string): Promise<void> {
    if (!(await this.#store.revoke(roomId, inviteId))) throw new AppError('NOT_FOUND', 'no such invitation in this room');
  }

  /** INV-7: the room's reusable invitation, made on first call and reused while it has a day left. */
  async meetingInvite(room: RoomInfo): Promise<MeetingInvite> {
    const t = now();
    const row = await this.#exclusive(
      async () =>
        (await this.#store.meetingInvite(room.id, t + SHARING_LIMITS.meetingInviteMinRemainingSeconds)) ??
        this.#store.insert({
          id: `inv_${crypto.randomBytes(16).toString('base64url')}`,
          roomId: room.id,
          role: defaultInviteRole(room),
          kind: 'meeting',
          createdAt: t,
          expiresAt: t + SHARING_LIMITS.meetingInviteTtlSeconds,
          maxUses: null,
        }),
    );
    return { url: await this.#url(row), expiresAt: iso(row.expiresAt) };
  }

  /**
   * INV-5: checks an invitation for `room` and counts one use. TOKEN_INVALID (not an invitation,
   * bad signature, unknown), TOKEN_EXPIRED, TOKEN_WRONG_ROOM, FORBIDDEN `{ reason: revoked | usedUp }`.
   */
  async redeem(room: RoomInfo, invite: string): Promise<InviteRow> {
    const payload = await this.#tokens.verifyScoped(INVITE_TYP, invite);
    if (typeof payload.room !== 'string' || typeof payload.jti !== 'string') throw new AppError('TOKEN_INVALID', 'the invitation lacks its claims');
    if (payload.room !== room.id) throw new AppError('TOKEN_WRONG_ROOM', 'the invitation is for another room');
    const row = await this.#store.get(payload.jti);
    if (!row || row.roomId !== room.id) throw new AppError('TOKEN_INVALID', 'unknown invitation');
    const t = now();
    if (!(await this.#store.takeUse(row.id, t))) {
      const current = (await this.#store.get(row.id)) ?? row;
      if (current.revoked) throw new AppError('FORBIDDEN', 'the invitation was revoked', { reason: 'revoked' });
      if (current.expiresAt <= t) throw new AppError('TOKEN_EXPIRED', 'the invitation has expired');
      throw new AppError('FORBIDDEN', 'the invitation has been used as many times as it allows', { reason: 'usedUp' });
    }
    return row;
  }

  /**
   * Runs the check-then-insert steps (the live cap, the one meeting invitation) one at a time on
   * this node, as they did when the store was synchronous.
   */
  #exclusive<T>(step: () => Promise<T>): Promise<T> {
    const run = this.#steps.then(step);
    this.#steps = run.then(
      () => undefined,
      () => undefined,
    );
    return run;
  }

  /** `${publicUrl}/room/:id?invite=…`: the same invitation always gives the same address (same claims, same times). */
  async #url(row: InviteRow): Promise<string> {
    const jwt = await this.#tokens.signScoped(INVITE_TYP, { room: row.roomId, jti: row.id }, row.expiresAt, row.createdAt);
    return `${this.#publicUrl()}/room/${encodeURIComponent(row.roomId)}?invite=${encodeURIComponent(jwt)}`;
  }
}
