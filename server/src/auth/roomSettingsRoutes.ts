import type { Router } from 'express';
import { AUTH_LIMITS, AppError, calendarQuerySchema, roomSettingsSchema, type RoomSettings } from '@nomades/shared';
import { validateBody } from '../http/validateBody.js';
import type { RoomRegistry } from '../rooms/RoomRegistry.js';
import type { RoomMemberStore, StoredMember } from '../store/RoomMemberStore.js';
import type { RoomStore } from '../store/RoomStore.js';
import type { AgentRooms, AgentView } from './AgentRooms.js';
import { agentLimit } from './agentRoomsRoutes.js';
import { calendarInvite, icsDate } from './calendarInvite.js';
import { sameOriginOnly } from './sameOrigin.js';

export interface RoomSettingsRouterDeps {
  rooms: AgentRooms;
  store: RoomStore;
  members: RoomMemberStore;
  /** The lobby flag lives in the room's moderation state (RoomControls): live rooms follow it. */
  registry: RoomRegistry;
  guestAccess: boolean;
  /** OWN-6: OWNERS_MAY_RECORD. */
  ownersMayRecord: boolean;
  publicUrl: () => string;
}

const EMAIL = /^[^\s@]+@[^\s@]+$/;

/** A room's settings and its invitation, for its owners (OWN-3, OWN-6, OWN-7), added to `router` (mounted on /api). */
export function roomSettingsRoutes(router: Router, deps: RoomSettingsRouterDeps): void {
  const limit = agentLimit(AUTH_LIMITS.agentRoutesPerWindow);

  const settingsOf = async ({ room, ownership }: Pick<AgentView, 'room' | 'ownership'>): Promise<RoomSettings> => {
    const controls = await deps.registry.loadControls(room.id);
    return {
      name: room.name,
      owners: ownership.members.filter((m) => m.kind === 'email' && m.role === 'owner').map((m) => m.value),
      members: ownership.members.flatMap((m) => (m.kind !== 'agent' && m.role !== 'owner' ? [{ kind: m.kind, value: m.value, role: m.role }] : [])),
      lobby: controls.lobbyEnabled,
      guestsAllowed: ownership.guestsAllowed ?? deps.guestAccess,
      record: room.record,
    };
  };

  router.get('/rooms/:id/settings', limit, async (req, res) => {
    res.setHeader('Cache-Control', 'no-store');
    res.json(await settingsOf(await deps.rooms.owned(req)));
  });

  router.put('/rooms/:id/settings', limit, sameOriginOnly(deps.publicUrl), async (req, res) => {
    const view = await deps.rooms.owned(req);
    const body = validateBody(roomSettingsSchema, req.body);
    const owners = [...new Set(body.owners.map((e) => e.toLowerCase()))];
    const bad = owners.find((e) => !EMAIL.test(e));
    if (bad !== undefined) throw new AppError('BAD_REQUEST', `owners: "${bad}" is not an email address`);
    // The agent who saves stays an owner: by the key that made the room, or by their email.
    const creator = view.ownership.members.some((m) => m.kind === 'agent' && m.value === view.agent.key);
    const email = view.agent.email?.toLowerCase();
    if (!creator && (email === undefined || !owners.includes(email))) throw new AppError('BAD_REQUEST', 'owners: you cannot remove yourself from the owners');
    // OWN-6: recording is the operator's to allow.
    if (body.record !== view.room.record && !deps.ownersMayRecord) throw new AppError('FORBIDDEN', 'recording is decided by the operator on this service');
    const members: StoredMember[] = [
      ...owners.map((value): StoredMember => ({ kind: 'email', value, role: 'owner' })),
      ...body.members.map((m): StoredMember => ({ kind: m.kind, value: m.kind === 'email' ? m.value.toLowerCase() : m.value, role: m.role })),
    ];
    if (!(await deps.members.saveSettings(view.room.id, { members, guestsAllowed: body.guestsAllowed }))) throw new AppError('ROOM_NOT_FOUND', 'no such room');
    const room = await deps.store.update(view.room.id, { name: body.name, ...(deps.ownersMayRecord ? { record: body.record } : {}) });
    if (!room) throw new AppError('ROOM_NOT_FOUND', 'no such room');
    // The lobby as a host sets it (LOBBY-n): turning it off admits whoever waits.
    (await deps.registry.loadControls(room.id)).setLobbyEnabled(body.lobby);
    const ownership = await deps.members.ownership(room.id);
    if (!ownership) throw new AppError('ROOM_NOT_FOUND', 'no such room');
    res.json(await settingsOf({ room, ownership }));
  });

  // OWN-7: the invitation (.ics), weekly when asked.
  router.get('/rooms/:id/calendar.ics', limit, async (req, res) => {
    const { room } = await deps.rooms.owned(req);
    const query = validateBody(calendarQuerySchema, req.query);
    const start = query.start ? new Date(query.start) : nextFullHour();
    const url = `${deps.publicUrl()}/room/${encodeURIComponent(room.id)}`;
    const host = new URL(deps.publicUrl() || 'http://localhost').hostname;
    const ics = calendarInvite({
      uid: `${room.id}-${icsDate(start)}@${host}`,
      summary: room.name,
      url,
      start,
      durationMin: query.durationMin,
      weekly: query.weekly === '1',
      description: 'Rejoindre la réunion :',
    });
    res.setHeader('Cache-Control', 'no-store');
    res.setHeader('Content-Disposition', `attachment; filename="${room.id}.ics"`);
    res.type('text/calendar; charset=utf-8').send(ics);
  });
}

function nextFullHour(now = Date.now()): Date {
  const hour = 3600_000;
  return new Date(Math.ceil((now + 1) / hour) * hour);
}
