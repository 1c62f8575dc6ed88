// The shape every CLI subcommand has.
import type { ParseArgsConfig } from 'node:util';

export type CommandValues = Record<string, string | string[] | boolean | undefined>;

export interface Command {
  usage: string;
  options: NonNullable<ParseArgsConfig['options']>;
  /** Returns the exit code. Throws InputError for unreadable or malformed input (exit 2). */
  run(values: CommandValues): Promise<number>;
}
