// Files committed to the repository that are generated from code, by repository-relative path.
import { renderChartCrdTemplate, renderCrdYaml } from './crd.ts';

export const GENERATED_FILES: Record<string, () => string> = {
  'deploy/crds/apps.kruise.io_sidecarsets.yaml': renderCrdYaml,
  'deploy/helm/sidecarset/templates/crd.yaml': renderChartCrdTemplate,
};
