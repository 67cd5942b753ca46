// The connection errors, as Twisted keeps them in twisted.internet.error: why an outgoing
// connection could not be made (ConnectError and its reasons) and why a connection ended
// (ConnectionDone, ConnectionLost, ConnectionAborted).
import { defineBrand, IoReactorError } from '../errors';

/**
 * An outgoing connection could not be made: Twisted's `twisted.internet.error.ConnectError`,
 * the base of the specific reasons (refused, timed out, unresolvable, stopped by the user).
 * `cause` holds the underlying system error when there is one.
 */
export class ConnectError extends IoReactorError {
  constructor(message = 'an error occurred while connecting', options?: { cause?: unknown; code?: string }) {
    super(options?.code ?? 'ERR_IOREACTOR_CONNECT_FAILED', message, options);
  }
}
defineBrand(ConnectError, 'ConnectError');

/** The peer refused the connection (ECONNREFUSED): Twisted's ConnectionRefusedError. Code: `ERR_IOREACTOR_CONNECTION_REFUSED`. */
export class ConnectionRefusedError extends ConnectError {
  constructor(message = 'connection was refused by the other side', options?: { cause?: unknown }) {
    super(message, { ...options, code: 'ERR_IOREACTOR_CONNECTION_REFUSED' });
  }
}
defineBrand(ConnectionRefusedError, 'ConnectionRefusedError');

/** The connect timeout given to connectTCP/connectUNIX expired: Twisted's error.TimeoutError (renamed here so it is not confused with the Deferred TimeoutError). Code: `ERR_IOREACTOR_CONNECT_TIMEOUT`. */
export class ConnectTimeoutError extends ConnectError {
  constructor(message = 'user timeout caused connection failure', options?: { cause?: unknown }) {
    super(message, { ...options, code: 'ERR_IOREACTOR_CONNECT_TIMEOUT' });
  }
}
defineBrand(ConnectTimeoutError, 'ConnectTimeoutError');

/** The host name could not be resolved: Twisted's DNSLookupError. Code: `ERR_IOREACTOR_DNS_LOOKUP`. */
export class DNSLookupError extends ConnectError {
  constructor(message = 'DNS lookup failed', options?: { cause?: unknown }) {
    super(message, { ...options, code: 'ERR_IOREACTOR_DNS_LOOKUP' });
  }
}
defineBrand(DNSLookupError, 'DNSLookupError');

/** stopConnecting() or disconnect() ended a connection attempt: Twisted's error.UserError. Code: `ERR_IOREACTOR_USER_ABORTED_CONNECT`. */
export class UserAbortedConnect extends ConnectError {
  constructor(message = 'user aborted connection', options?: { cause?: unknown }) {
    super(message, { ...options, code: 'ERR_IOREACTOR_USER_ABORTED_CONNECT' });
  }
}
defineBrand(UserAbortedConnect, 'UserAbortedConnect');

/**
 * The connection was closed cleanly (the peer finished, or we closed it):
 * Twisted's `twisted.internet.error.ConnectionDone`.
 */
export class ConnectionDone extends IoReactorError {
  constructor(message = 'connection was closed cleanly', options?: { cause?: unknown }) {
    super('ERR_IOREACTOR_CONNECTION_DONE', message, options);
  }
}
defineBrand(ConnectionDone, 'ConnectionDone');

/**
 * The connection was lost in a non-clean fashion, or a descriptor was dropped by its reactor
 * (at shutdown, say): Twisted's `twisted.internet.error.ConnectionLost`. ConnectionAborted
 * extends it, as in Twisted: test for ConnectionAborted first to tell an abort from a loss.
 *
 * Code: `ERR_IOREACTOR_CONNECTION_LOST` (a subclass may pass its own `code`).
 */
export class ConnectionLost extends IoReactorError {
  constructor(message = 'connection to the other side was lost in a non-clean fashion', options?: { cause?: unknown; code?: string }) {
    super(options?.code ?? 'ERR_IOREACTOR_CONNECTION_LOST', message, options);
  }
}
defineBrand(ConnectionLost, 'ConnectionLost');

/**
 * abortConnection() closed the connection: Twisted's ConnectionAborted, which (as there) is a
 * ConnectionLost.
 *
 * Code: `ERR_IOREACTOR_CONNECTION_ABORTED`.
 */
export class ConnectionAborted extends ConnectionLost {
  constructor(message = 'connection was aborted locally using abortConnection', options?: { cause?: unknown }) {
    super(message, { ...options, code: 'ERR_IOREACTOR_CONNECTION_ABORTED' });
  }
}
defineBrand(ConnectionAborted, 'ConnectionAborted');

/**
 * The transport cannot pass descriptors: `sendFileDescriptor` was called on a TCP connection
 * (only UNIX stream connections carry them, as Twisted's IUNIXTransport).
 *
 * Code: `ERR_IOREACTOR_NOT_SUPPORTED`.
 */
export class FileDescriptorsNotSupported extends IoReactorError {
  constructor(message = 'only UNIX stream connections can pass file descriptors', options?: { cause?: unknown }) {
    super('ERR_IOREACTOR_NOT_SUPPORTED', message, options);
  }
}
defineBrand(FileDescriptorsNotSupported, 'FileDescriptorsNotSupported');
