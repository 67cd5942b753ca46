/**
 * One TLS handshake over a Node Duplex: makes the TLSSocket (the server or the client side),
 * and reports once, with either nothing (the handshake completed and the peer's certificate
 * was accepted) or a coded TLSHandshakeError. Internal to the package.
 */
import * as tls from 'node:tls';
import type { Duplex } from 'node:stream';
import { TLSHandshakeError, TLSHandshakeTimeout, TLSVerificationError } from './errors';
import type { ResolvedTLSOptions } from './options';

/** OpenSSL's certificate verification results, as Node names them, plus Node's own host name check. */
const VERIFY_CODES = new Set([
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_CRL',
  'UNABLE_TO_DECRYPT_CERT_SIGNATURE',
  'UNABLE_TO_DECRYPT_CRL_SIGNATURE',
  'UNABLE_TO_DECODE_ISSUER_PUBLIC_KEY',
  'CERT_SIGNATURE_FAILURE',
  'CRL_SIGNATURE_FAILURE',
  'CERT_NOT_YET_VALID',
  'CERT_HAS_EXPIRED',
  'CRL_NOT_YET_VALID',
  'CRL_HAS_EXPIRED',
  'ERROR_IN_CERT_NOT_BEFORE_FIELD',
  'ERROR_IN_CERT_NOT_AFTER_FIELD',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'CERT_CHAIN_TOO_LONG',
  'CERT_REVOKED',
  'INVALID_CA',
  'PATH_LENGTH_EXCEEDED',
  'INVALID_PURPOSE',
  'CERT_UNTRUSTED',
  'CERT_REJECTED',
  'HOSTNAME_MISMATCH',
]);

/** Node's error for a failed handshake, as the coded ioreactor error it becomes. */
export function handshakeFailure(err: unknown): TLSHandshakeError {
  if (err instanceof TLSHandshakeError) return err;
  const code = (err as { code?: unknown } | null)?.code;
  const message = err instanceof Error ? err.message : String(err);
  if (typeof code === 'string' && VERIFY_CODES.has(code)) {
    return new TLSVerificationError(`the peer certificate was refused: ${code}: ${message}`, { cause: err });
  }
  return new TLSHandshakeError(`the TLS handshake failed: ${typeof code === 'string' ? `${code}: ` : ''}${message}`, { cause: err });
}

export interface HandshakeSide {
  isServer: boolean;
  /** A client's peer: the host name (or address) checked against the certificate. */
  host?: string;
}

/**
 * Starts TLS over `carrier` and calls `done` once: with no argument when the handshake has
 * completed, else with the failure (the TLSSocket is then destroyed).
 */
export function startHandshake(carrier: Duplex, side: HandshakeSide, resolved: ResolvedTLSOptions, done: (failure?: TLSHandshakeError) => void): tls.TLSSocket {
  const { options, secureContext, handshakeTimeout } = resolved;
  const socket = side.isServer
    ? new tls.TLSSocket(carrier, { ...options, isServer: true, secureContext })
    : tls.connect({ ...options, socket: carrier, host: side.host, secureContext });
  let settled = false;
  let timer: NodeJS.Timeout | undefined;
  const finish = (failure?: TLSHandshakeError): void => {
    if (settled) return;
    settled = true;
    if (timer !== undefined) clearTimeout(timer);
    socket.off('close', onClose);
    // onError stays: once settled it ignores what follows, so a failure destroyed with below
    // is never an unhandled 'error' event (a transport over the socket listens for itself).
    if (failure !== undefined) socket.destroy(failure);
    done(failure);
  };
  const onError = (err: unknown): void => finish(handshakeFailure(err));
  const onClose = (): void => finish(new TLSHandshakeError('the connection closed during the TLS handshake'));
  socket.on('error', onError);
  socket.on('close', onClose);
  socket.once(side.isServer ? 'secure' : 'secureConnect', () =>
    finish(side.isServer ? clientCertificateFailure(socket, options.requestCert, options.rejectUnauthorized) : undefined),
  );
  if (handshakeTimeout > 0) {
    timer = setTimeout(() => finish(new TLSHandshakeTimeout(`the TLS handshake did not complete within ${handshakeTimeout} ms`)), handshakeTimeout);
  }
  return socket;
}

/**
 * A server asked for a client certificate and must refuse an unverified one. A TLSSocket made
 * outside a tls.Server does not check that itself (the server's connection listener does).
 */
function clientCertificateFailure(
  socket: tls.TLSSocket,
  requestCert: boolean | undefined,
  rejectUnauthorized: boolean | undefined,
): TLSHandshakeError | undefined {
  if (requestCert !== true || rejectUnauthorized === false) return undefined;
  const handle = (socket as unknown as { _handle?: { verifyError?: () => Error | null } })._handle;
  const verifyError = handle?.verifyError?.() ?? null;
  if (verifyError !== null) return handshakeFailure(verifyError);
  if (Object.keys(socket.getPeerCertificate()).length === 0) return new TLSVerificationError('the client sent no certificate');
  return undefined;
}
