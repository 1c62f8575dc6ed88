// How `sidecarset explain` prints its answers: plain lines for people, or JSON (-o json) for scripts.
import type { PodExplanation, SidecarSetVerdict } from '../injection/explain-injection.ts';
import type { SidecarUpgrade } from '../status/sidecar-upgrade.ts';
import { InputError } from './input.ts';

/** One Pod or workload and what the webhook would do to it. */
export interface ExplainedObject extends PodExplanation {
  /** `Pod/web-0`, `Deployment/shop`. */
  object: string;
}

export function upgradeText(upgrade: SidecarUpgrade): string {
  switch (upgrade.state) {
    case 'not-recorded':
      return 'the Pod does not carry it: it was created before the SidecarSet, or not through the webhook (recreate the Pod)';
    case 'current':
      return `up to date (hash ${upgrade.hash})`;
    case 'in-place':
      return `outdated (hash ${upgrade.recordedHash}, current ${upgrade.hash}): only images changed, so it can be upgraded in place`;
    case 'recreate':
      return `outdated (hash ${upgrade.recordedHash}, current ${upgrade.hash}): cannot be upgraded in place, ${
        upgrade.fields.length > 0
          ? `because more than images changed: ${upgrade.fields.join(', ')}`
          : `because more than images changed (revision ${upgrade.revision || '(unknown)'} is not available to tell which fields)`
      }; recreate the Pod`;
  }
}

function verdictLines(verdict: SidecarSetVerdict): string[] {
  const lines = [`  ${verdict.sidecarSet}: ${verdict.injected ? 'injected' : 'not injected'}: ${verdict.message}`];
  if (verdict.upgrade) lines.push(`    ${upgradeText(verdict.upgrade)}`);
  return lines;
}

export function renderExplanations(explained: readonly ExplainedObject[], format: 'text' | 'json'): string {
  if (format === 'json') return `${JSON.stringify(explained, null, 2)}\n`;
  return explained
    .map((item) => [`${item.object} in namespace ${item.namespace}:`, ...item.sidecarSets.flatMap(verdictLines), ...item.warnings.map((warning) => `  warning: ${warning}`)].join('\n'))
    .join('\n\n')
    .concat('\n');
}

export function explainFormat(value: string | undefined): 'text' | 'json' {
  if (value === undefined || value === 'text') return 'text';
  if (value === 'json') return 'json';
  throw new InputError(`-o: unsupported output format "${value}" (use text or json)`);
}
