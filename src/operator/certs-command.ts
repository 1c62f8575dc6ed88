// `sidecarset certs`: writes a fresh CA and serving certificate for running the webhook server
// locally (or with --cert-mode=external): ca.crt, tls.crt and tls.key (owner-only) in --out.
import { randomBytes } from 'node:crypto';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { servingIdentity, type ServingIdentity } from '../../certs/identity.ts';
import { DEFAULT_LIFETIMES } from '../../certs/lifetimes.ts';
import { issueCertificateSet } from '../../certs/rotation-step.ts';
import type { Command, CommandValues } from '../cli/command.ts';
import { InputError } from '../cli/input.ts';

function required(values: CommandValues, flag: string): string {
  const value = values[flag];
  if (typeof value !== 'string' || value === '') throw new InputError(`certs: --${flag} is required`);
  return value;
}

/**
 * Writes through a new file renamed into place: `mode` then holds even when the target existed
 * with wider permissions, and a reader never sees half a file.
 */
async function writeNewFile(file: string, content: string, mode: number): Promise<void> {
  const temporary = `${file}.${randomBytes(4).toString('hex')}.tmp`;
  await writeFile(temporary, content, { mode, flag: 'wx' });
  await rename(temporary, file);
}

const list = (value: CommandValues[string]): string[] => (Array.isArray(value) ? value : []);

function identityFrom(values: CommandValues): ServingIdentity {
  try {
    return servingIdentity({
      serviceName: required(values, 'service'),
      namespace: required(values, 'namespace'),
      extraDnsNames: list(values['extra-dns']),
      extraIps: list(values['extra-ip']),
    });
  } catch (error) {
    if (error instanceof InputError) throw error;
    throw new InputError(`certs: ${(error as Error).message}`);
  }
}

export const certsCommand: Command = {
  usage: `usage: sidecarset certs --service NAME --namespace NS --out DIR [--extra-dns NAME]... [--extra-ip IP]...

Issues a self-signed CA and a serving certificate for <service>, <service>.<ns>,
<service>.<ns>.svc and <service>.<ns>.svc.cluster.local plus the extra names and IPs,
and writes ca.crt, tls.crt and tls.key (mode 0600) into DIR, which is created if needed.
The CA key is not kept: issue a new set to renew.`,
  options: {
    service: { type: 'string' },
    namespace: { type: 'string' },
    out: { type: 'string' },
    'extra-dns': { type: 'string', multiple: true },
    'extra-ip': { type: 'string', multiple: true },
  },
  async run(values) {
    const identity = identityFrom(values);
    const out = required(values, 'out');
    const { ca, serving } = issueCertificateSet({ identity, lifetimes: DEFAULT_LIFETIMES, now: Date.now() });
    await mkdir(out, { recursive: true });
    await writeNewFile(path.join(out, 'ca.crt'), ca.cert, 0o644);
    await writeNewFile(path.join(out, 'tls.crt'), serving.cert, 0o644);
    await writeNewFile(path.join(out, 'tls.key'), serving.key, 0o600);
    process.stdout.write(`wrote ca.crt, tls.crt, tls.key to ${out} for ${[...identity.dnsNames, ...identity.ips].join(', ')}\n`);
    return 0;
  },
};
