/**
 * The TLS options of listenSSL, connectSSL and startTLS: Node's own `node:tls` options (the
 * "context factory" of Twisted's API), checked at the call, with the certificates loaded once
 * into a SecureContext shared by every connection. Internal to the package, but for the types.
 */
import * as tls from 'node:tls';
import { InvalidArgTypeError, InvalidArgValueError } from '../errors';
import { assertNonNegativeNumber, describe } from '../util/validate';

/**
 * Node's TLS options, passed through to `node:tls` (key, cert, ca, pfx, secureContext,
 * servername, ALPNProtocols, SNICallback, requestCert, rejectUnauthorized, checkServerIdentity,
 * minVersion, ciphers, session...), plus `handshakeTimeout`.
 *
 * Certificates are verified by default: a client refuses a server whose certificate is not
 * signed by a CA it trusts (`ca`, else Node's bundled roots) or not issued for the host it
 * connected to, unless `rejectUnauthorized: false`. A server asks for client certificates
 * only with `requestCert: true`.
 */
export interface TLSOptions extends tls.SecureContextOptions, Omit<tls.TLSSocketOptions, 'isServer' | 'server' | 'secureContext'> {
  secureContext?: tls.SecureContext;
  /** The host name sent in SNI and checked against the certificate (a client; default: the host connected to). */
  servername?: string;
  /** Checks the server's certificate against the name (a client; default `tls.checkServerIdentity`). */
  checkServerIdentity?: (hostname: string, cert: tls.PeerCertificate) => Error | undefined;
  /** Milliseconds the handshake may take before the connection fails with TLSHandshakeTimeout (default 30000; 0: no limit). */
  handshakeTimeout?: number;
}

/** The options as every connection uses them. */
export interface ResolvedTLSOptions {
  readonly options: TLSOptions;
  readonly secureContext: tls.SecureContext;
  readonly handshakeTimeout: number;
}

/** Twisted has no handshake limit; a peer that never finishes must not hold a connection forever. */
export const DEFAULT_HANDSHAKE_TIMEOUT_MS = 30_000;

const BOOLEANS = ['rejectUnauthorized', 'requestCert'] as const;
const FUNCTIONS = ['SNICallback', 'checkServerIdentity'] as const;
const STRINGS = ['servername'] as const;

/** Checks `value` as TLS options and loads its certificates: bad values are refused here, at the call. */
export function resolveTLSOptions(value: unknown, what = 'tlsOptions'): ResolvedTLSOptions {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new InvalidArgTypeError(`${what} must be an object of node:tls options, received ${describe(value)}`);
  }
  const options = value as TLSOptions;
  for (const key of BOOLEANS) {
    if (options[key] !== undefined && typeof options[key] !== 'boolean') {
      throw new InvalidArgTypeError(`${what}.${key} must be a boolean, received ${describe(options[key])}`);
    }
  }
  for (const key of FUNCTIONS) {
    if (options[key] !== undefined && typeof options[key] !== 'function') {
      throw new InvalidArgTypeError(`${what}.${key} must be a function, received ${describe(options[key])}`);
    }
  }
  for (const key of STRINGS) {
    if (options[key] !== undefined && typeof options[key] !== 'string') {
      throw new InvalidArgTypeError(`${what}.${key} must be a string, received ${describe(options[key])}`);
    }
  }
  const alpn = options.ALPNProtocols;
  if (alpn !== undefined && !Array.isArray(alpn) && !ArrayBuffer.isView(alpn)) {
    throw new InvalidArgTypeError(`${what}.ALPNProtocols must be an array of protocol names or a Buffer, received ${describe(alpn)}`);
  }
  const handshakeTimeout = options.handshakeTimeout ?? DEFAULT_HANDSHAKE_TIMEOUT_MS;
  assertNonNegativeNumber(handshakeTimeout, `${what}.handshakeTimeout`);
  let secureContext = options.secureContext;
  if (secureContext === undefined) {
    try {
      secureContext = tls.createSecureContext(options);
    } catch (err) {
      // A key that does not parse, a certificate that does not match its key, an unknown cipher.
      const detail = err instanceof Error ? `${(err as { code?: string }).code ?? err.name}: ${err.message}` : String(err);
      throw new InvalidArgValueError(`${what} could not be loaded (${detail})`, 'ERR_IOREACTOR_INVALID_TLS_OPTIONS');
    }
  } else if (secureContext === null || typeof secureContext !== 'object' || !('context' in secureContext)) {
    throw new InvalidArgTypeError(`${what}.secureContext must come from tls.createSecureContext, received ${describe(secureContext)}`);
  }
  return { options, secureContext, handshakeTimeout };
}
