// The `sidecarset` command line: offline tools (default, validate, inject, crd, certs), `serve` and `rollout`.
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { InputError } from './input.ts';
import { COMMANDS } from './commands.ts';
import type { CommandValues } from './command.ts';

const USAGE = `usage: sidecarset <command> [flags]

commands:
${Object.entries(COMMANDS).map(([name, entry]) => `  ${name.padEnd(10)} ${entry.summary}`).join('\n')}

Run 'sidecarset <command> --help' for the flags of a command.`;

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return name === undefined ? 2 : 0;
  }
  const entry = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (!entry) throw new InputError(`unknown command "${name}"; run 'sidecarset --help'`);
  const command = await entry.load();
  if (rest.includes('--help') || rest.includes('-h')) {
    process.stdout.write(`${command.usage}\n`);
    return 0;
  }
  let parsed;
  try {
    parsed = parseArgs({ args: rest, options: command.options, allowPositionals: command.positionals === true, strict: true } satisfies ParseArgsConfig);
  } catch (error) {
    throw new InputError(`${name}: ${(error as Error).message}`);
  }
  return command.run(parsed.values as CommandValues, parsed.positionals);
}

try {
  process.exitCode = await main(process.argv.slice(2));
} catch (error) {
  if (error instanceof InputError) {
    process.stderr.write(`error: ${error.message}\n`);
    process.exitCode = 2;
  } else {
    process.stderr.write(`error: ${(error as Error).message ?? String(error)}\n`);
    process.exitCode = 3;
  }
}
