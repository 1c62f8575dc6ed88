// `sidecarset crd`: prints the SidecarSet CustomResourceDefinition.
import { renderCrdYaml } from '../api/crd.ts';
import type { Command } from './command.ts';

export const crdCommand: Command = {
  usage: 'usage: sidecarset crd\n\nPrints the CRD that deploy/crds/apps.kruise.io_sidecarsets.yaml holds.',
  options: {},
  async run() {
    process.stdout.write(renderCrdYaml());
    return 0;
  },
};
