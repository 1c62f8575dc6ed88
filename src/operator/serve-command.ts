// `sidecarset serve`: runs the operator (webhooks, caches, controller) until SIGTERM or SIGINT,
// then drains and exits 0. Flag names and defaults are a public contract (the Helm chart uses them).
import { isIP } from 'node:net';
import type { KubeConfig } from '@kubernetes/client-node';
import { KubeconfigNotFoundError, loadKubeConfig } from '../kube/kube-config.ts';
import { certificatesComponent } from './certificates-component.ts';
import { controllerComponent } from './controller-component.ts';
import { CERT_MODES, DEFAULT_SETTINGS, startOperator, type CertMode, type Operator, type OperatorSettings } from './operator.ts';
import type { Command, CommandValues } from '../cli/command.ts';
import { parseDuration } from '../cli/duration.ts';
import { InputError } from '../cli/input.ts';

const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'];
/** After stop(), anything still holding the event loop (a stray socket) must not keep the Pod terminating. */
const EXIT_GRACE_MS = 2_000;

const seconds = (ms: number): string => `${ms / 1000}s`;

const USAGE = `usage: sidecarset serve [flags]

Runs the admission webhooks (HTTPS) and the SidecarSet controller.

flags:
  --port N                          webhook HTTPS port (${DEFAULT_SETTINGS.port})
  --metrics-port N                  plain-HTTP port of /metrics, /healthz, /readyz (${DEFAULT_SETTINGS.metricsPort})
  --bind-address ADDR               address both servers listen on (${DEFAULT_SETTINGS.bindAddress})
  --cert-dir DIR                    tls.crt and tls.key, reloaded when they change (${DEFAULT_SETTINGS.certDir})
  --cert-mode MODE                  ${CERT_MODES.join('|')} (${DEFAULT_SETTINGS.certMode})
  --namespace NS                    operator namespace (env POD_NAMESPACE, else ${DEFAULT_SETTINGS.namespace})
  --service-name NAME               webhook Service (${DEFAULT_SETTINGS.serviceName})
  --secret-name NAME                Secret holding the webhook certificates (${DEFAULT_SETTINGS.secretName})
  --mutating-webhook-configuration NAME    (${DEFAULT_SETTINGS.mutatingWebhookConfiguration})
  --validating-webhook-configuration NAME  (${DEFAULT_SETTINGS.validatingWebhookConfiguration})
  --kubeconfig FILE                 default: in-cluster, else $KUBECONFIG, else ~/.kube/config
  --log-level LEVEL                 ${LOG_LEVELS.join('|')} (${DEFAULT_SETTINGS.logLevel})
  --leader-elect=true|false         elect one controller among the replicas (${DEFAULT_SETTINGS.leaderElect})
  --leader-election-id NAME         Lease name (${DEFAULT_SETTINGS.leaderElectionId})
  --lease-duration D                (${seconds(DEFAULT_SETTINGS.leaseDurationMs)})
  --renew-deadline D                (${seconds(DEFAULT_SETTINGS.renewDeadlineMs)})
  --retry-period D                  (${seconds(DEFAULT_SETTINGS.retryPeriodMs)})
  --workers N                       concurrent reconciles (${DEFAULT_SETTINGS.workers})
  --whitelist-configmap NAME        ConfigMap with key SidecarSet_PatchPodMetadata_WhiteList (${DEFAULT_SETTINGS.whitelistConfigMap})
  --allow-patch-metadata-without-whitelist   allow every patchPodMetadata key when no whitelist applies
  --shutdown-drain D                keep serving this long after SIGTERM (${seconds(DEFAULT_SETTINGS.shutdownDrainMs)}); SIGINT stops at once
  --excluded-namespaces NS,NS       namespaces the webhook configuration excludes besides kube-system and
                                    the operator's; their Pods are not reported as missing injection
  --cert-extra-dns NAME             extra DNS SAN of the self-managed serving certificate (repeatable)
  --cert-extra-ip IP                extra IP SAN, e.g. for url-based webhook configurations (repeatable)

Durations are Go durations: 15s, 1m30s, 500ms.`;

export interface ServeArguments {
  settings: OperatorSettings;
  kubeconfig?: string;
  certificateExtras: { extraDnsNames: string[]; extraIps: string[] };
}

/** Reads the flags (and POD_NAMESPACE); throws InputError naming the first bad one. */
export function serveArguments(values: CommandValues, env: NodeJS.ProcessEnv = process.env): ServeArguments {
  const text = (name: string): string | undefined => {
    const value = values[name];
    if (value === undefined) return undefined;
    if (typeof value !== 'string' || value === '') throw new InputError(`--${name}: a value is required`);
    return value;
  };
  const integer = (name: string, fallback: number, min: number, max: number): number => {
    const value = text(name);
    if (value === undefined) return fallback;
    const number = Number(value);
    if (!/^\d+$/.test(value) || number < min || number > max) throw new InputError(`--${name}: expected an integer in [${min}, ${max}], got "${value}"`);
    return number;
  };
  const duration = (name: string, fallback: number): number => {
    const value = text(name);
    if (value === undefined) return fallback;
    const ms = parseDuration(value);
    if (ms === undefined || ms < 0) throw new InputError(`--${name}: expected a duration such as 15s or 1m30s, got "${value}"`);
    return ms;
  };
  const oneOf = <T extends string>(name: string, allowed: readonly T[], fallback: T): T => {
    const value = text(name);
    if (value === undefined) return fallback;
    if (!allowed.includes(value as T)) throw new InputError(`--${name}: expected one of ${allowed.join(', ')}, got "${value}"`);
    return value as T;
  };
  const settings: OperatorSettings = {
    port: integer('port', DEFAULT_SETTINGS.port, 0, 65535),
    metricsPort: integer('metrics-port', DEFAULT_SETTINGS.metricsPort, 0, 65535),
    bindAddress: text('bind-address') ?? DEFAULT_SETTINGS.bindAddress,
    certDir: text('cert-dir') ?? DEFAULT_SETTINGS.certDir,
    certMode: oneOf<CertMode>('cert-mode', CERT_MODES, DEFAULT_SETTINGS.certMode),
    namespace: text('namespace') ?? (env.POD_NAMESPACE || DEFAULT_SETTINGS.namespace),
    serviceName: text('service-name') ?? DEFAULT_SETTINGS.serviceName,
    secretName: text('secret-name') ?? DEFAULT_SETTINGS.secretName,
    mutatingWebhookConfiguration: text('mutating-webhook-configuration') ?? DEFAULT_SETTINGS.mutatingWebhookConfiguration,
    validatingWebhookConfiguration: text('validating-webhook-configuration') ?? DEFAULT_SETTINGS.validatingWebhookConfiguration,
    logLevel: oneOf('log-level', LOG_LEVELS, DEFAULT_SETTINGS.logLevel),
    leaderElect: goBool('leader-elect', text('leader-elect'), DEFAULT_SETTINGS.leaderElect),
    leaderElectionId: text('leader-election-id') ?? DEFAULT_SETTINGS.leaderElectionId,
    leaseDurationMs: duration('lease-duration', DEFAULT_SETTINGS.leaseDurationMs),
    renewDeadlineMs: duration('renew-deadline', DEFAULT_SETTINGS.renewDeadlineMs),
    retryPeriodMs: duration('retry-period', DEFAULT_SETTINGS.retryPeriodMs),
    workers: integer('workers', DEFAULT_SETTINGS.workers, 1, 1000),
    whitelistConfigMap: text('whitelist-configmap') ?? DEFAULT_SETTINGS.whitelistConfigMap,
    allowPatchMetadataWithoutWhitelist: values['allow-patch-metadata-without-whitelist'] === true,
    shutdownDrainMs: duration('shutdown-drain', DEFAULT_SETTINGS.shutdownDrainMs),
    excludedNamespaces: (text('excluded-namespaces') ?? '').split(',').map((name) => name.trim()).filter((name) => name !== ''),
  };
  const list = (name: string): string[] => (values[name] as string[] | undefined) ?? [];
  for (const ip of list('cert-extra-ip')) {
    if (isIP(ip) === 0) throw new InputError(`--cert-extra-ip: "${ip}" is not an IP address`);
  }
  return {
    settings,
    kubeconfig: text('kubeconfig'),
    certificateExtras: { extraDnsNames: list('cert-extra-dns'), extraIps: list('cert-extra-ip') },
  };
}

/** strconv.ParseBool, as Go flags read `--leader-elect=false`. */
function goBool(name: string, value: string | undefined, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (['1', 't', 'T', 'true', 'TRUE', 'True'].includes(value)) return true;
  if (['0', 'f', 'F', 'false', 'FALSE', 'False'].includes(value)) return false;
  throw new InputError(`--${name}: expected true or false, got "${value}"`);
}

const string = { type: 'string' } as const;

export const serveCommand: Command = {
  usage: USAGE,
  options: {
    port: string,
    'metrics-port': string,
    'bind-address': string,
    'cert-dir': string,
    'cert-mode': string,
    namespace: string,
    'service-name': string,
    'secret-name': string,
    'mutating-webhook-configuration': string,
    'validating-webhook-configuration': string,
    kubeconfig: string,
    'log-level': string,
    // A string, so that `--leader-elect=false` parses (node's parseArgs refuses `=value` on booleans).
    'leader-elect': string,
    'leader-election-id': string,
    'lease-duration': string,
    'renew-deadline': string,
    'retry-period': string,
    workers: string,
    'whitelist-configmap': string,
    'allow-patch-metadata-without-whitelist': { type: 'boolean' },
    'shutdown-drain': string,
    'excluded-namespaces': string,
    'cert-extra-dns': { type: 'string', multiple: true },
    'cert-extra-ip': { type: 'string', multiple: true },
  },
  async run(values) {
    const { settings, kubeconfig, certificateExtras } = serveArguments(values);
    let kubeConfig: KubeConfig;
    try {
      kubeConfig = loadKubeConfig(kubeconfig);
    } catch (error) {
      if (error instanceof KubeconfigNotFoundError) {
        process.stderr.write(`error: ${error.message}\n`);
        return 1;
      }
      throw new InputError(`--kubeconfig: ${(error as Error).message}`);
    }
    return runUntilSignal(await startOperator({ ...settings, kubeConfig, certificates: certificatesComponent(certificateExtras), controller: controllerComponent }));
  },
};

/** Waits for SIGTERM (then drains) or SIGINT (no drain) and stops the operator; resolves with the exit code. */
export async function runUntilSignal(operator: Operator): Promise<number> {
  const signal = await new Promise<NodeJS.Signals>((resolve) => {
    // once: a second Ctrl-C during the drain falls through to Node's default and ends the process at once.
    process.once('SIGTERM', resolve);
    process.once('SIGINT', resolve);
  });
  operator.log.info({ signal }, 'signal received');
  // Ctrl-C in a terminal means now; the drain is for SIGTERM, when a cluster takes the replica out of its Service.
  await operator.stop(signal === 'SIGINT' ? { drainMs: 0 } : {});
  setTimeout(() => {
    operator.log.warn({ graceMs: EXIT_GRACE_MS }, 'handles still open after stop; exiting anyway');
    process.exit(0);
  }, EXIT_GRACE_MS).unref();
  return 0;
}
