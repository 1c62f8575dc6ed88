// Client certificates for the test control plane's admin (Kubernetes reads the user from CN and
// the groups from O), signed by a CA of certs/authority.ts.
import { issueLeaf, type KeyedCertificate, type Validity } from '../../certs/authority.ts';

export interface ClientSubject {
  commonName: string;
  organizations?: readonly string[];
}

/** A client certificate (clientAuth only, no SANs), signed by the CA, never valid past the CA. */
export function issueClient(ca: KeyedCertificate, subject: ClientSubject, validity: Validity): KeyedCertificate {
  return issueLeaf(ca, subject, validity, 'clientAuth');
}
