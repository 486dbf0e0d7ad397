/** Where a command writes; given to it, so a command never reaches for `process` itself. */
export interface CommandIo {
  readonly stdout: NodeJS.WriteStream;
  readonly stderr: NodeJS.WriteStream;
  /**
   * Resolves on Ctrl-C (SIGINT) or SIGTERM, so a long-running command (`--watch`) can end cleanly.
   * Only a command that calls it takes the signals over; any other is stopped by them as usual.
   */
  interrupted(): Promise<void>;
}

/**
 * A subcommand as main.ts lists it: its name and one line for `--help`, and how to load the rest.
 * Loading is deferred so that `--help` (or one command) does not load every command's libraries.
 */
export interface CommandEntry {
  readonly name: string;
  /** One line, for the list of commands. */
  readonly summary: string;
  load(): Command;
}

/** One subcommand, in a file of its own (`<name>.command.ts`), registered in main.ts. */
export interface Command {
  /** The whole help text, printed by `<command> --help` and after a usage error. */
  readonly usage: string;
  /** Resolves to the process's exit code. Throws UsageError for a bad command line. */
  run(args: readonly string[], io: CommandIo): Promise<number>;
}

/** Exit codes shared by every command: 0 and 1 are each command's own verdict. */
export const EXIT_OK = 0;
export const EXIT_NOT_OK = 1;
/** A bad command line or environment, or a dependency (Redis) out of reach: no verdict at all. */
export const EXIT_CANNOT_RUN = 2;

export class UsageError extends Error {
  override readonly name = 'UsageError';
}
