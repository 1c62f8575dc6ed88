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
  /** Hex, as X509Certificate.serialNumber gives it. */
  serialNumber: string;
}

/**
 * TLS 1.3 suites (all AEAD), and for TLS 1.2 only forward-secret (ECDHE) AEAD suites, for RSA and
 * ECDSA keys: no static-RSA key exchange, no CBC. kube-apiserver's Go client offers all of these.
 */
export const TLS_CIPHERS = [
  'TLS_AES_128_GCM_SHA256',
  'TLS_AES_256_GCM_SHA384',
  'TLS_CHACHA20_POLY1305_SHA256',
  'ECDHE-ECDSA-AES128-GCM-SHA256',
  'ECDHE-RSA-AES128-GCM-SHA256',
  'ECDHE-ECDSA-AES256-GCM-SHA384',
  'ECDHE-RSA-AES256-GCM-SHA384',
  'ECDHE-ECDSA-CHACHA20-POLY1305',
  'ECDHE-RSA-CHACHA20-POLY1305',
].join(':');

/** Context options every certificate is served with; setSecureContext() resets what it is not given. */
export const TLS_CONTEXT_OPTIONS: SecureContextOptions = { minVersion: 'TLSv1.2', ciphers: TLS_CIPHERS, honorCipherOrder: true };

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
      serialNumber: x509.serialNumber,
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
