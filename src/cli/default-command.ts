// `sidecarset default`: prints SidecarSets as the mutating webhook would store them.
import { formatFieldError } from '../field-error.ts';
import type { SidecarSet } from '../api/sidecarset.ts';
import type { Command } from './command.ts';
import { InputError, outputFormat, render, requireObjects } from './input.ts';
import { defaultWellFormed } from '../default-well-formed.ts';
import { describe, readSidecarSets } from './sidecarset-input.ts';

export const defaultCommand: Command = {
  usage: `usage: sidecarset default -f FILE [-f FILE]... [-o yaml|json]

Prints every SidecarSet of the files (several YAML documents or a List each; '-' is stdin)
defaulted as the mutating webhook does, hash annotations included.

  -f, --filename FILE   input file, repeatable
  -o, --output FORMAT   yaml (default) or json

Exit status: 0 printed; 1 a SidecarSet is structurally invalid (errors on stderr, nothing
printed); 2 unreadable or malformed input.`,
  options: {
    filename: { type: 'string', short: 'f', multiple: true },
    output: { type: 'string', short: 'o' },
  },
  async run(values) {
    const files = (values.filename as string[] | undefined) ?? [];
    if (files.length === 0) throw new InputError('default: -f FILE is required');
    const format = outputFormat(values.output as string | undefined);
    const defaulted: SidecarSet[] = [];
    const problems: string[] = [];
    const objects = await readSidecarSets(files);
    requireObjects(objects, files, 'SidecarSets');
    for (const object of objects) {
      const result = defaultWellFormed(object);
      if ('errors' in result) problems.push(...result.errors.map((error) => `${describe(object)}: ${formatFieldError(error)}`));
      else defaulted.push(result.sidecarSet);
    }
    if (problems.length > 0) {
      process.stderr.write(`${problems.join('\n')}\n`);
      return 1;
    }
    process.stdout.write(render(defaulted, format));
    return 0;
  },
};
