// The certificate the TLS server presents, swappable at any time: setSecureContext() applies to
// every handshake after the call, while open connections keep the context they negotiated. Fed
// by the cert-dir watcher and, in memory, by the certificate manager.
import { X509Certificate } from 'node:crypto';
import { createSecureContext, type SecureContextOptions, type Server } from 'node:tls';

export interface CertificatePair {
  /** PEM: the serving certificate, optionally followed by intermediates. */
  cert: string | Buffer;
  /** PEM private key. */
  key: string | Buffer;
}

export interface CertificateInfo {
  subject: string;
  subjectAltName?: string;
  notAfter: string;
  fingerprint256: string;
}

/** Context options every certificate is served with; setSecureContext() resets what it is not given. */
export const TLS_CONTEXT_OPTIONS: SecureContextOptions = { minVersion: 'TLSv1.2' };

export class ServingCertificate {
  readonly #server: Server;
  readonly #onChange: (info: CertificateInfo) => void;
  #cert: string | undefined;
  #key: string | undefined;
  #info: CertificateInfo | undefined;

  constructor(server: Server, onChange: (info: CertificateInfo) => void = () => {}) {
    this.#server = server;
    this.#onChange = onChange;
  }

  /**
   * Serves this pair from the next handshake on. Returns false when it is the pair already served.
   * Throws, keeping the current pair, when the PEM cannot be read or the key does not match.
   */
  set(pair: CertificatePair): boolean {
    const cert = pair.cert.toString();
    const key = pair.key.toString();
    if (cert === this.#cert && key === this.#key) return false;
    const options = { ...TLS_CONTEXT_OPTIONS, cert, key };
    createSecureContext(options); // validates before anything changes: setSecureContext() would half-apply a bad pair
    const x509 = new X509Certificate(cert);
    this.#server.setSecureContext(options);
    this.#cert = cert;
    this.#key = key;
    this.#info = {
      subject: x509.subject.replace(/\n/g, ', '),
      ...(x509.subjectAltName ? { subjectAltName: x509.subjectAltName } : {}),
      notAfter: new Date(x509.validTo).toISOString(),
      fingerprint256: x509.fingerprint256,
    };
    this.#onChange(this.#info);
    return true;
  }

  loaded(): boolean {
    return this.#info !== undefined;
  }

  info(): CertificateInfo | undefined {
    return this.#info;
  }
}
