import path from 'node:path';
import type { Command } from 'commander';
import { StoreCopy, StoreDatabase } from '@nomades/server';
import { CliError, EXIT } from '../CliError.js';
import type { CliContext } from '../context.js';
import { print, table } from '../output.js';

/**
 * `nomades database copy` (issue #21): a one-node SQLite DATA_DIR into the PostgreSQL of several
 * nodes. Runs on the machine of the DATA_DIR, server stopped, not through the API. The URL comes
 * from DATABASE_URL (it may hold a password: never an option, as the admin key).
 */
export function databaseCommand(program: Command, ctx: CliContext): void {
  const database = program.command('database').description('the server\'s database (run where DATA_DIR is, server stopped)');
  database
    .command('copy')
    .description('copy DATA_DIR\'s SQLite database (rooms, moderation, invitations, recordings\' metadata, board and chat) into the empty PostgreSQL of DATABASE_URL; can run again; verified by row counts and a checksum of the documents')
    .requiredOption('--data-dir <dir>', 'the DATA_DIR of the one-node server')
    .action(async (o: { dataDir: string }) => {
      const url = process.env.DATABASE_URL;
      if (!url || !/^postgres(ql)?:\/\//.test(url)) throw new CliError('DATABASE_URL must be the postgresql:// URL to copy into', EXIT.usage);
      const source = await StoreDatabase.open({ dataDir: path.resolve(o.dataDir) });
      try {
        const target = await StoreDatabase.open({ dataDir: path.resolve(o.dataDir), databaseUrl: url });
        try {
          const report = await new StoreCopy(source, target).run();
          print(ctx.out(), report, () =>
            [
              table(report.tables, ['table', 'source', 'target']),
              `documents sha256  source ${report.documents.source}`,
              `                  target ${report.documents.target}`,
              report.verified ? 'verified: every count and the documents agree' : 'NOT VERIFIED: the target differs (was it empty?)',
            ].join('\n'),
          );
          if (!report.verified) throw new CliError('the copy could not be verified: the target database holds other rows', EXIT.refused);
        } finally {
          await target.close();
        }
      } finally {
        await source.close();
      }
    });
}
