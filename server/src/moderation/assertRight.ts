import { AppError, can, type Right, type Role } from '@nomades/shared';

const WHAT: Record<Right, string> = {
  microphone: 'use a microphone',
  camera: 'use a camera',
  screen: 'share a screen',
  chat: 'chat',
  board: 'draw on the board',
  raiseHand: 'raise a hand',
  moderate: 'moderate this meeting',
  captions: 'change the captions of this room\'s recordings',
  poll: 'run polls and questions',
};

/** Throws FORBIDDEN unless `role` has `right` (ROLE-1…4, shared/src/rights.ts). */
export function assertRight(role: Role, right: Right): void {
  if (!can(role, right)) throw new AppError('FORBIDDEN', `an ${role === 'attendee' ? 'attendee' : role} may not ${WHAT[right]}`);
}
