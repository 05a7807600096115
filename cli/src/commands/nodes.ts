import type { Command } from 'commander';
import { clusterNodesSchema, type ClusterNodes } from '@nomades/shared';
import { CliError, EXIT } from '../CliError.js';
import type { CliContext } from '../context.js';
import { print, table } from '../output.js';

/**
 * `nomades nodes` (issue #21, NODE-6): the live nodes of a service of several nodes and the rooms
 * each hosts, from `GET /api/nodes` of any of them (or of the front). A server that is a single
 * node has no such list (404): said in words, exit 2, nothing on stdout.
 */
export function nodesCommand(program: Command, ctx: CliContext): void {
  program
    .command('nodes')
    .description('the live nodes (id, URL, load, draining) and the rooms each hosts (several nodes only)')
    .action(async () => {
      let answer: ClusterNodes;
      try {
        answer = await ctx.api().call('GET', '/api/nodes', { answer: clusterNodesSchema });
      } catch (error) {
        if (error instanceof CliError && error.code === 'NOT_FOUND') {
          throw new CliError('a single node: this server runs every room itself and has no node list (several nodes share DATABASE_URL and REDIS_URL)', EXIT.refused, error.code);
        }
        throw error;
      }
      print(ctx.out(), answer, () => human(answer));
    });
}

function human(answer: ClusterNodes): string {
  const nodes = answer.nodes.map((n) => ({
    id: n.id === answer.self ? `${n.id} *` : n.id,
    url: n.url,
    rooms: n.load.rooms,
    sessions: n.load.sessions,
    draining: n.draining ? 'yes' : 'no',
  }));
  const rooms = answer.nodes.flatMap((n) => n.rooms.map((room) => ({ room, node: n.id }))).sort((a, b) => a.room.localeCompare(b.room));
  return [
    table(nodes, ['id', 'url', 'rooms', 'sessions', 'draining']),
    `(* answered: ${answer.self})`,
    '',
    rooms.length ? table(rooms, ['room', 'node']) : 'no room is running',
  ].join('\n');
}
