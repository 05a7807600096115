import type { ApiRegistry } from '../ApiRegistry.js';

/** server/src/polls/pollsRouter.ts (mounted on /api): POLL-10 in docs/spec/polls.md. */
export function registerPolls(api: ApiRegistry): void {
  api.route({
    method: 'get', path: '/api/rooms/:id/polls/:pollId.csv', auth: 'adminOrRoomToken', tag: 'polls',
    summary: 'One poll of the room as CSV: its tally, and who chose what unless it is anonymous (POLL-10)',
    description:
      'The admin key, or a room token of this room whose live role has the `poll` right (hosts). UTF-8 with a byte order mark, '
      + 'RFC 4180 (commas, CRLF). Rows `question`, `type`, `anonymous`, `status`, `created`, `voters`; then `option,votes` and one row '
      + 'per option; then, for a poll that is not anonymous only, `name,voted,<option>…` and one row per voter with 1 under each '
      + 'option chosen. A cell starting with = + - @, a tab or a carriage return is prefixed with an apostrophe (CSV injection).',
    responses: { 200: { description: 'the poll', contentType: 'text/csv' } },
  });
}
