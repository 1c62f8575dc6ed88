// The `sidecarset serve` flags, once: each entry names a flag, says what it means and what it
// defaults to, and reads its value. The usage text, node's parseArgs options, the parsing and the
// README's flag table (kept equal by test/unit/serve-flags.test.ts) all come from SERVE_FLAGS.
// Flag names and defaults are a public contract: the Helm chart passes them.
import { isIP } from 'node:net';
import type { ParseArgsConfig } from 'node:util';
import type { CommandValues } from '../cli/command.ts';
import { parseDuration } from '../cli/duration.ts';
import { InputError } from '../cli/input.ts';
import { CERT_MODES, DEFAULT_SETTINGS, type CertMode, type OperatorSettings } from './operator.ts';

export interface ServeArguments {
  settings: OperatorSettings;
  kubeconfig?: string;
  certificateExtras: { extraDnsNames: string[]; extraIps: string[] };
}

export interface ServeFlag {
  name: string;
  /** What the value looks like in the usage text (none for a switch). */
  placeholder?: string;
  /** Markdown (backticks): the README shows it as is, the usage text without backticks. */
  defaultText: string;
  meaning: string;
  option: { type: 'string' | 'boolean'; multiple?: true };
  /** Stores the flag's value (never undefined: absent flags keep their default). */
  apply(value: string | string[] | boolean, into: ServeArguments): void;
}

export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'];

/** Reads the text of a string flag; an empty value is refused. */
type Reader<T> = (name: string, text: string) => T;

const text: Reader<string> = (_name, value) => value;

const integer = (min: number, max: number): Reader<number> => (name, value) => {
  const number = Number(value);
  if (!/^\d+$/.test(value) || number < min || number > max) throw new InputError(`--${name}: expected an integer in [${min}, ${max}], got "${value}"`);
  return number;
};

const duration: Reader<number> = (name, value) => {
  const ms = parseDuration(value);
  if (ms === undefined || ms < 0) throw new InputError(`--${name}: expected a duration such as 15s or 1m30s, got "${value}"`);
  return ms;
};

const oneOf = <T extends string>(allowed: readonly T[]): Reader<T> => (name, value) => {
  if (!allowed.includes(value as T)) throw new InputError(`--${name}: expected one of ${allowed.join(', ')}, got "${value}"`);
  return value as T;
};

/** strconv.ParseBool, as Go flags read `--leader-elect=false`. */
const goBool: Reader<boolean> = (name, value) => {
  if (['1', 't', 'T', 'true', 'TRUE', 'True'].includes(value)) return true;
  if (['0', 'f', 'F', 'false', 'FALSE', 'False'].includes(value)) return false;
  throw new InputError(`--${name}: expected true or false, got "${value}"`);
};

const commaList: Reader<string[]> = (_name, value) => value.split(',').map((item) => item.trim()).filter((item) => item !== '');

const code = (value: unknown): string => `\`${value}\``;
const seconds = (ms: number): string => `${ms / 1000}s`;

function requireText(name: string, value: string | string[] | boolean): string {
  if (typeof value !== 'string' || value === '') throw new InputError(`--${name}: a value is required`);
  return value;
}

/** A flag that sets one setting; its default is the setting's default. */
function setting<K extends keyof OperatorSettings>(
  name: string,
  key: K,
  placeholder: string,
  meaning: string,
  read: Reader<OperatorSettings[K]>,
  show: (value: OperatorSettings[K]) => string = code,
): ServeFlag {
  return {
    name,
    placeholder,
    meaning,
    defaultText: show(DEFAULT_SETTINGS[key]),
    option: { type: 'string' },
    apply: (value, into) => {
      into.settings[key] = read(name, requireText(name, value));
    },
  };
}

function repeatable(name: string, placeholder: string, meaning: string, apply: (values: string[], into: ServeArguments) => void): ServeFlag {
  return { name, placeholder, meaning, defaultText: 'none', option: { type: 'string', multiple: true }, apply: (value, into) => apply(value as string[], into) };
}

export const SERVE_FLAGS: readonly ServeFlag[] = [
  setting('port', 'port', 'N', 'webhook HTTPS port', integer(0, 65535)),
  setting('metrics-port', 'metricsPort', 'N', 'plain HTTP: `/metrics` (Prometheus), `/healthz`, `/readyz` (also served on the HTTPS port)', integer(0, 65535)),
  setting('bind-address', 'bindAddress', 'ADDR', 'address of both servers', text),
  setting('cert-mode', 'certMode', 'MODE', '`self`: CA + serving certificate in a Secret, caBundle patched, rotation; `cert-manager` / `external`: `tls.crt`/`tls.key` read from `--cert-dir`, reloaded when they change', oneOf<CertMode>(CERT_MODES)),
  setting('cert-dir', 'certDir', 'DIR', 'certificate directory (cert-manager and external modes)', text),
  repeatable('cert-extra-dns', 'NAME', 'extra DNS SAN of the self-managed serving certificate (repeatable)', (names, into) => {
    into.certificateExtras.extraDnsNames = names;
  }),
  repeatable('cert-extra-ip', 'IP', 'extra IP SAN of the self-managed serving certificate, e.g. for url-based webhook configurations (repeatable)', (ips, into) => {
    for (const ip of ips) {
      if (isIP(ip) === 0) throw new InputError(`--cert-extra-ip: "${ip}" is not an IP address`);
    }
    into.certificateExtras.extraIps = ips;
  }),
  {
    ...setting('namespace', 'namespace', 'NS', 'operator namespace: Secret, Lease, ControllerRevisions, whitelist ConfigMap', text),
    defaultText: `\`$POD_NAMESPACE\`, else ${code(DEFAULT_SETTINGS.namespace)}`,
  },
  setting('service-name', 'serviceName', 'NAME', 'the webhook Service (certificate SANs)', text),
  setting('secret-name', 'secretName', 'NAME', 'Secret holding CA and serving certificate (self mode)', text),
  setting('mutating-webhook-configuration', 'mutatingWebhookConfiguration', 'NAME', 'configuration whose caBundle the operator manages (self mode)', text),
  setting('validating-webhook-configuration', 'validatingWebhookConfiguration', 'NAME', 'likewise', text),
  {
    name: 'kubeconfig',
    placeholder: 'FILE',
    meaning: 'API credentials',
    defaultText: 'in-cluster, else `$KUBECONFIG`, else `~/.kube/config`',
    option: { type: 'string' },
    apply: (value, into) => {
      into.kubeconfig = requireText('kubeconfig', value);
    },
  },
  setting('log-level', 'logLevel', 'LEVEL', `${LOG_LEVELS.map(code).join(', ')} (JSON logs)`, oneOf(LOG_LEVELS)),
  // A string, so that `--leader-elect=false` parses (node's parseArgs refuses `=value` on booleans).
  setting('leader-elect', 'leaderElect', 'BOOL', 'elect one controller among the replicas; `--leader-elect=false` runs it on every replica', goBool),
  setting('leader-election-id', 'leaderElectionId', 'NAME', 'Lease name', text),
  setting('lease-duration', 'leaseDurationMs', 'D', 'leader election: how long a Lease holds without renewal', duration, (ms) => code(seconds(ms))),
  setting('renew-deadline', 'renewDeadlineMs', 'D', 'leader election: the leader steps down when it cannot renew within this', duration, (ms) => code(seconds(ms))),
  setting('retry-period', 'retryPeriodMs', 'D', 'leader election: how often to try to take or renew the Lease', duration, (ms) => code(seconds(ms))),
  setting('workers', 'workers', 'N', 'concurrent status reconciles', integer(1, 1000)),
  setting('whitelist-configmap', 'whitelistConfigMap', 'NAME', 'ConfigMap in the operator namespace with key `SidecarSet_PatchPodMetadata_WhiteList` (Kruise\'s format)', text),
  {
    name: 'allow-patch-metadata-without-whitelist',
    meaning: 'allow every `patchPodMetadata` key when no whitelist applies',
    defaultText: 'off',
    option: { type: 'boolean' },
    apply: (value, into) => {
      into.settings.allowPatchMetadataWithoutWhitelist = value === true;
    },
  },
  setting('shutdown-drain', 'shutdownDrainMs', 'D', 'after SIGTERM: not ready at once, but every request (new connections too) is still answered this long; then exit 0. SIGINT (Ctrl-C), and a replica that was never ready, stop without draining', duration, (ms) => code(seconds(ms))),
  {
    ...setting('excluded-namespaces', 'excludedNamespaces', 'NS,NS', 'namespaces the webhook configuration excludes besides kube-system and the operator\'s (the chart passes `webhook.excludedNamespaces`); their Pods are not reported as missing injection', commaList),
    defaultText: 'none',
  },
];

/** node's parseArgs options of the flags. */
export function serveOptions(): NonNullable<ParseArgsConfig['options']> {
  return Object.fromEntries(SERVE_FLAGS.map((flag) => [flag.name, flag.option]));
}

/** Reads the flags (and POD_NAMESPACE); throws InputError naming the first bad one. */
export function serveArguments(values: CommandValues, env: NodeJS.ProcessEnv = process.env): ServeArguments {
  const into: ServeArguments = {
    settings: { ...DEFAULT_SETTINGS, namespace: env.POD_NAMESPACE || DEFAULT_SETTINGS.namespace },
    certificateExtras: { extraDnsNames: [], extraIps: [] },
  };
  for (const flag of SERVE_FLAGS) {
    const value = values[flag.name];
    if (value !== undefined) flag.apply(value, into);
  }
  return into;
}

const plain = (markdown: string): string => markdown.replaceAll('`', '');

export function serveUsage(): string {
  const lines = SERVE_FLAGS.map((flag) => {
    const left = `  --${flag.name}${flag.placeholder ? ` ${flag.placeholder}` : ''}`;
    return `${left.padEnd(36)} ${plain(flag.meaning)} (default: ${plain(flag.defaultText)})`;
  });
  return `usage: sidecarset serve [flags]

Runs the admission webhooks (HTTPS) and the SidecarSet controller.

flags:
${lines.join('\n')}

Durations (D) are Go durations: 15s, 1m30s, 500ms.`;
}

/** The README's flag table. */
export function serveFlagTable(): string {
  const escape = (cell: string): string => cell.replaceAll('|', '\\|');
  return [
    '| flag | default | meaning |',
    '| --- | --- | --- |',
    ...SERVE_FLAGS.map((flag) => `| \`--${flag.name}\` | ${escape(flag.defaultText)} | ${escape(flag.meaning)} |`),
  ].join('\n');
}
