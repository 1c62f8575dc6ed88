// The shape every CLI subcommand has.
import type { ParseArgsConfig } from 'node:util';

export type CommandValues = Record<string, string | string[] | boolean | undefined>;

export interface Command {
  usage: string;
  options: NonNullable<ParseArgsConfig['options']>;
  /** Whether the command takes arguments besides its flags (`explain pod/NAME`). */
  positionals?: boolean;
  /** Returns the exit code. Throws InputError for unreadable or malformed input (exit 2). */
  run(values: CommandValues, positionals?: string[]): Promise<number>;
}
