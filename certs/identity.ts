// The names a serving certificate must carry. The apiserver checks SANs only (never the
// CommonName) against `<service>.<namespace>.svc`; the other forms cover in-cluster clients and
// the extra names/IPs cover url-based webhooks (e.g. https://127.0.0.1:<port> in tests).
import { isIP } from 'node:net';

export interface ServingIdentity {
  /** Subject CommonName: informational only. */
  commonName: string;
  dnsNames: string[];
  ips: string[];
}

export interface IdentityInput {
  serviceName: string;
  namespace: string;
  extraDnsNames?: readonly string[];
  extraIps?: readonly string[];
}

const DNS_NAME = /^(\*\.)?[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?(\.[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?)*$/;

/** One canonical spelling per address, so comparisons with parsed certificates are exact. */
export function canonicalIp(ip: string): string {
  const family = isIP(ip);
  if (family === 0) throw new Error(`invalid IP address "${ip}"`);
  // The URL parser compresses IPv6 and rewrites embedded dotted quads into hex groups.
  return family === 4 ? ip : new URL(`http://[${ip}]/`).hostname.slice(1, -1);
}

function checkedDnsName(name: string): string {
  const lower = name.toLowerCase();
  if (lower.length > 253 || !DNS_NAME.test(lower)) throw new Error(`invalid DNS name "${name}"`);
  return lower;
}

export function servingIdentity(input: IdentityInput): ServingIdentity {
  const service = checkedDnsName(input.serviceName);
  const namespace = checkedDnsName(input.namespace);
  const dnsNames = [
    service,
    `${service}.${namespace}`,
    `${service}.${namespace}.svc`,
    `${service}.${namespace}.svc.cluster.local`,
    ...(input.extraDnsNames ?? []).map(checkedDnsName),
  ];
  return {
    commonName: service,
    dnsNames: [...new Set(dnsNames)],
    ips: [...new Set((input.extraIps ?? []).map(canonicalIp))],
  };
}

/**
 * `identity` widened by the names a certificate already carries. Replicas may ask for different
 * extra names: each re-issue keeps what the others needed, so the shared certificate converges on
 * the union instead of flipping between their wishes.
 */
export function widenedIdentity(identity: ServingIdentity, carried: { dnsNames: readonly string[]; ips: readonly string[] }): ServingIdentity {
  return {
    commonName: identity.commonName,
    dnsNames: [...new Set([...identity.dnsNames, ...carried.dnsNames])],
    ips: [...new Set([...identity.ips, ...carried.ips.map(canonicalIp)])],
  };
}
