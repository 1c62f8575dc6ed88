// Every subcommand of the CLI, by name. Each is loaded only when it runs, so the offline commands do
// not pay for the Kubernetes client, ajv or the server.
import type { Command } from './command.ts';

export interface CommandEntry {
  summary: string;
  load(): Promise<Command>;
}

export const COMMANDS: Record<string, CommandEntry> = {
  crd: {
    summary: 'print the SidecarSet CustomResourceDefinition (YAML)',
    load: async () => (await import('./crd-command.ts')).crdCommand,
  },
  default: {
    summary: 'print SidecarSets with the defaults the webhook fills in',
    load: async () => (await import('./default-command.ts')).defaultCommand,
  },
  validate: {
    summary: 'default and validate SidecarSets as the admission webhooks would',
    load: async () => (await import('./validate-command.ts')).validateCommand,
  },
  convert: {
    summary: 'print SidecarSets converted to apps.kruise.io/v1alpha1 or v1beta1',
    load: async () => (await import('./convert-command.ts')).convertCommand,
  },
  inject: {
    summary: 'inject sidecars into Pods or workload templates from a file',
    load: async () => (await import('./inject-command.ts')).injectCommand,
  },
  explain: {
    summary: 'say why each SidecarSet does or does not inject into a Pod, and whether Pods run its current version',
    load: async () => (await import('./explain-command.ts')).explainCommand,
  },
  certs: {
    summary: 'write a CA and a webhook serving certificate (ca.crt, tls.crt, tls.key)',
    load: async () => (await import('../operator/certs-command.ts')).certsCommand,
  },
  rollout: {
    summary: "follow, pause or resume a SidecarSet's in-place sidecar rollout (status|pause|resume NAME)",
    load: async () => (await import('../operator/rollout-command.ts')).rolloutCommand,
  },
  serve: {
    summary: 'run the operator: admission webhooks and controller',
    load: async () => (await import('../operator/serve-command.ts')).serveCommand,
  },
};
