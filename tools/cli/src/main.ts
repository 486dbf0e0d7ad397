#!/usr/bin/env node
import { EXIT_CANNOT_RUN, EXIT_OK, UsageError, type CommandEntry, type CommandIo } from './command';

/**
 * Every subcommand; a new one is a `<name>.command.ts` file and an entry here. A command's file
 * (and with it Redis, Kubernetes and config-parsing libraries) is required only when it runs.
 */
const COMMANDS: readonly CommandEntry[] = [
  {
    name: 'validate',
    summary: 'check a tenants file or a vcluster.yaml: every error with its path and line',
    load: () => (require('./validate.command') as typeof import('./validate.command')).validateCommand,
  },
  {
    name: 'plan',
    summary: 'dry run: what a vcluster.yaml would create, update or delete, against live state',
    load: () => (require('./plan.command') as typeof import('./plan.command')).planCommand,
  },
  {
    name: 'status',
    summary: "every mapping's replication state, refused configs and the reconcile queue",
    load: () => (require('./status.command') as typeof import('./status.command')).statusCommand,
  },
];

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
  const entry = COMMANDS.find((candidate) => candidate.name === name);
  if (!entry) {
    io.stderr.write(`${name === undefined ? 'no command given' : `unknown command "${name}"`}\n\n${usage()}\n`);
    return EXIT_CANNOT_RUN;
  }
  const command = entry.load();
  // One place answers `<command> --help`, from the usage text each command declares.
  if (args.includes('--help') || args.includes('-h')) {
    io.stdout.write(`${command.usage}\n`);
    return EXIT_OK;
  }
  try {
    return await command.run(args, io);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    io.stderr.write(`${entry.name}: ${error.message}\n\n${command.usage}\n`);
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
