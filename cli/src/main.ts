import { Command, CommanderError } from 'commander';
import { CliError, EXIT } from './CliError.js';
import { agentsCommand } from './commands/agents.js';
import { databaseCommand } from './commands/database.js';
import { invitesCommand } from './commands/invites.js';
import { nodesCommand } from './commands/nodes.js';
import { participantsCommand } from './commands/participants.js';
import { recordingsCommand } from './commands/recordings.js';
import { roomsCommand } from './commands/rooms.js';
import { tokensCommand } from './commands/tokens.js';
import { contextOf } from './context.js';

/** `nomades`: the admin API from a shell (cli/README.md). */
const program = new Command('nomades')
  .description('Administer a nomades-visio server (NOMADES_URL, ADMIN_KEY, or ~/.config/nomades/config.json)')
  .option('--json', 'print the server\'s answers as JSON')
  .option('--url <url>', 'the server (default: NOMADES_URL)')
  .exitOverride()
  .showHelpAfterError('(nomades --help for the commands)');
const ctx = contextOf(program);
roomsCommand(program, ctx);
tokensCommand(program, ctx);
invitesCommand(program, ctx);
participantsCommand(program, ctx);
recordingsCommand(program, ctx);
databaseCommand(program, ctx);
nodesCommand(program, ctx);
agentsCommand(program, ctx);
for (const command of program.commands) command.exitOverride();

try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (error instanceof CommanderError) {
    process.exitCode = error.exitCode === 0 ? EXIT.ok : EXIT.usage;
  } else if (error instanceof CliError) {
    process.stderr.write(`nomades: ${error.message}\n`);
    process.exitCode = error.exitCode;
  } else {
    process.stderr.write(`nomades: ${(error as Error).stack ?? String(error)}\n`);
    process.exitCode = EXIT.unreachable;
  }
}
