// `sidecarset convert`: prints SidecarSets in the other API version, converted as the `/convert`
// webhook converts them for the apiserver.
import { convertSidecarSet } from '../api/conversion.ts';
import { SERVED_VERSIONS, type SidecarSetVersion } from '../api/sidecarset.ts';
import type { Command } from './command.ts';
import { InputError, outputFormat, render } from './input.ts';
import { readSidecarSets } from './sidecarset-input.ts';

export const convertCommand: Command = {
  usage: `usage: sidecarset convert -f FILE [-f FILE]... --to v1alpha1|v1beta1 [-o yaml|json]

Prints every SidecarSet of the files (several YAML documents or a List each; '-' is stdin)
in apps.kruise.io/<version>, converted as the conversion webhook does: v1alpha1 spec.namespace
<-> a kubernetes.io/metadata.name namespaceSelector, the apps.kruise.io/sidecarset-custom-version
label <-> spec.customVersion. Objects already in that version are printed unchanged.

  -f, --filename FILE   input file, repeatable
  --to VERSION          v1alpha1 or v1beta1
  -o, --output FORMAT   yaml (default) or json

Exit status: 0 printed; 2 unreadable or malformed input, or an unknown version.`,
  options: {
    filename: { type: 'string', short: 'f', multiple: true },
    to: { type: 'string' },
    output: { type: 'string', short: 'o' },
  },
  async run(values) {
    const files = (values.filename as string[] | undefined) ?? [];
    if (files.length === 0) throw new InputError('convert: -f FILE is required');
    const to = values.to as string | undefined;
    if (!SERVED_VERSIONS.includes(to as SidecarSetVersion)) {
      throw new InputError(`convert: --to must be ${SERVED_VERSIONS.join(' or ')}${to === undefined ? '' : `, got ${JSON.stringify(to)}`}`);
    }
    const format = outputFormat(values.output as string | undefined);
    const converted = (await readSidecarSets(files)).map((object) => convertSidecarSet(object, to as SidecarSetVersion));
    process.stdout.write(render(converted, format));
    return 0;
  },
};
