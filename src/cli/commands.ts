// Every subcommand of the CLI, by name.
import type { Command } from './command.ts';
import { crdCommand } from './crd-command.ts';

export const COMMANDS: Record<string, Command> = {
  crd: crdCommand,
};
