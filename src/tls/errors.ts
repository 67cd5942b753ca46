// The TLS errors: why a handshake did not complete. Node's own error (from node:tls or
// OpenSSL) is kept as `cause`, and its code as `tlsCode`, so a program can tell an untrusted
// certificate (UNABLE_TO_VERIFY_LEAF_SIGNATURE) from a wrong host name
// (ERR_TLS_CERT_ALTNAME_INVALID) without parsing messages.
import { defineBrand, IoReactorError } from '../errors';

/**
 * The TLS handshake failed (a protocol error, an alert from the peer, the connection closing
 * before the handshake completed). Code: `ERR_IOREACTOR_TLS_HANDSHAKE`; the subclasses below
 * pass their own. `tlsCode` is the code of Node's error, when it had one.
 */
export class TLSHandshakeError extends IoReactorError {
  readonly tlsCode: string | undefined;

  constructor(message = 'the TLS handshake failed', options?: { cause?: unknown; code?: string }) {
    super(options?.code ?? 'ERR_IOREACTOR_TLS_HANDSHAKE', message, options);
    const cause = options?.cause as { code?: unknown } | undefined;
    this.tlsCode = typeof cause?.code === 'string' ? cause.code : undefined;
  }
}
defineBrand(TLSHandshakeError, 'TLSHandshakeError');

/**
 * The peer's certificate was refused: not signed by a trusted CA, expired, or not issued for the
 * host name asked for. Code: `ERR_IOREACTOR_TLS_VERIFY`; `tlsCode` says why
 * (`UNABLE_TO_VERIFY_LEAF_SIGNATURE`, `DEPTH_ZERO_SELF_SIGNED_CERT`, `CERT_HAS_EXPIRED`,
 * `ERR_TLS_CERT_ALTNAME_INVALID`...).
 */
export class TLSVerificationError extends TLSHandshakeError {
  constructor(message = 'the peer certificate could not be verified', options?: { cause?: unknown }) {
    super(message, { ...options, code: 'ERR_IOREACTOR_TLS_VERIFY' });
  }
}
defineBrand(TLSVerificationError, 'TLSVerificationError');

/** The handshake did not complete within `handshakeTimeout` milliseconds. Code: `ERR_IOREACTOR_TLS_HANDSHAKE_TIMEOUT`. */
export class TLSHandshakeTimeout extends TLSHandshakeError {
  constructor(message = 'the TLS handshake timed out', options?: { cause?: unknown }) {
    super(message, { ...options, code: 'ERR_IOREACTOR_TLS_HANDSHAKE_TIMEOUT' });
  }
}
defineBrand(TLSHandshakeTimeout, 'TLSHandshakeTimeout');
