#!/usr/bin/env node
import { EXIT_CANNOT_RUN, EXIT_OK, UsageError, type Command, type CommandIo } from './command';
import { planCommand } from './plan.command';
import { statusCommand } from './status.command';
import { validateCommand } from './validate.command';

/** Every subcommand; a new one is a `<name>.command.ts` file and a line here. */
const COMMANDS: readonly Command[] = [validateCommand, planCommand, statusCommand];

function usage(): string {
  const width = Math.max(...COMMANDS.map((command) => command.name.length));
  const list = COMMANDS.map((command) => `  ${command.name.padEnd(width)}  ${command.summary}`).join('\n');
  return `usage: node tools/cli/dist/main.js <command> [options]   (npm run cli -- <command>)\n\ncommands:\n${list}\n\n<command> --help tells more.`;
}

async function main(argv: readonly string[], io: CommandIo): Promise<number> {
  const [name, ...args] = argv;
  if (name === '--help' || name === '-h' || name === 'help') {
    io.stdout.write(`${usage()}\n`);
    return 0;
  }
  const command = COMMANDS.find((candidate) => candidate.name === name);
  if (!command) {
    io.stderr.write(`${name === undefined ? 'no command given' : `unknown command "${name}"`}\n\n${usage()}\n`);
    return EXIT_CANNOT_RUN;
  }
  // One place answers `<command> --help`, from the usage text each command declares.
  if (args.includes('--help') || args.includes('-h')) {
    io.stdout.write(`${command.usage}\n`);
    return EXIT_OK;
  }
  try {
    return await command.run(args, io);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    io.stderr.write(`${command.name}: ${error.message}\n\n${command.usage}\n`);
    return EXIT_CANNOT_RUN;
  }
}

let interruption: Promise<void> | undefined;

/** Ctrl-C ends a watching command cleanly (its connections closed) instead of killing it. */
function interrupted(): Promise<void> {
  interruption ??= new Promise((resolve) => {
    for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => resolve());
  });
  return interruption;
}

main(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, interrupted }).then(
  (code) => {
    // exitCode, not exit(): what was written to a pipe is flushed before the process ends.
    process.exitCode = code;
    // Every connection was closed; a stray handle must not keep a finished command alive.
    setTimeout(() => process.exit(code), 1_000).unref();
  },
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(EXIT_CANNOT_RUN);
  },
);
