// The errors of endpoints and endpoint strings: Twisted raises ValueError, TypeError or KeyError
// from serverFromString/clientFromString; here each kind of mistake has its own stable code.
import { defineBrand, InvalidArgValueError, IoReactorError } from '../errors';
import { CancelledError } from '../defer/errors';
import type { Address } from '../transport/address';

/** The codes an {@link EndpointStringError} can carry. */
export type EndpointStringErrorCode =
  /** Empty, no endpoint type, or a backslash with nothing after it. */
  | 'ERR_IOREACTOR_ENDPOINT_SYNTAX'
  /** No parser is registered for the prefix. */
  | 'ERR_IOREACTOR_ENDPOINT_UNKNOWN_TYPE'
  /** A required argument (a port, a path) is absent. */
  | 'ERR_IOREACTOR_ENDPOINT_MISSING_ARGUMENT'
  /** An argument the endpoint type does not take, or too many positional ones. */
  | 'ERR_IOREACTOR_ENDPOINT_UNKNOWN_ARGUMENT'
  /** The same argument twice (by keyword twice, or by position and by keyword). */
  | 'ERR_IOREACTOR_ENDPOINT_DUPLICATE_ARGUMENT'
  /** A value of the wrong shape: a non-numeric backlog, a mode that is not octal... */
  | 'ERR_IOREACTOR_ENDPOINT_INVALID_VALUE'
  /** A value this implementation recognises but does not support (`lockfile=1`, `checkPID=1`). */
  | 'ERR_IOREACTOR_ENDPOINT_UNSUPPORTED'
  /** A port that is not an integer in range. */
  | 'ERR_IOREACTOR_INVALID_PORT'
  /** A host or interface that is not acceptable (an interface must be numeric). */
  | 'ERR_IOREACTOR_INVALID_ADDRESS'
  /** A UNIX path that is empty, too long or holds a NUL. */
  | 'ERR_IOREACTOR_INVALID_PATH';

/**
 * An endpoint description string was refused by serverFromString or clientFromString.
 * `description` is the string as given. A RangeError (an {@link InvalidArgValueError}).
 */
export class EndpointStringError extends InvalidArgValueError {
  constructor(
    code: EndpointStringErrorCode,
    message: string,
    readonly description: string,
  ) {
    super(`${message} in endpoint description ${JSON.stringify(description)}`, code);
  }

  override get name(): string {
    return 'EndpointStringError';
  }
}
defineBrand(EndpointStringError, 'EndpointStringError');

/** A prefix was registered twice. Code: `ERR_IOREACTOR_ENDPOINT_DUPLICATE_TYPE`. */
export class DuplicateEndpointTypeError extends IoReactorError {
  constructor(readonly prefix: string) {
    super('ERR_IOREACTOR_ENDPOINT_DUPLICATE_TYPE', `an endpoint type with the prefix ${JSON.stringify(prefix)} is already registered`);
  }
}
defineBrand(DuplicateEndpointTypeError, 'DuplicateEndpointTypeError');

/**
 * The Deferred of `endpoint.connect()` was cancelled before it fired: Twisted's
 * ConnectingCancelledError. It is a CancelledError, with its own code:
 * `ERR_IOREACTOR_CONNECTING_CANCELLED`. `address` is where the attempt was going.
 */
export class ConnectingCancelledError extends CancelledError {
  constructor(readonly address: Address | string) {
    super(`connecting to ${String(address)} was cancelled`);
    (this as { code: string }).code = 'ERR_IOREACTOR_CONNECTING_CANCELLED';
  }

  override get name(): string {
    return 'ConnectingCancelledError';
  }
}
defineBrand(ConnectingCancelledError, 'ConnectingCancelledError');

/** The factory's buildProtocol returned null for a connection an endpoint made: Twisted's NoProtocol. Code: `ERR_IOREACTOR_NO_PROTOCOL`. */
export class NoProtocolError extends IoReactorError {
  constructor(message = "the factory's buildProtocol returned null") {
    super('ERR_IOREACTOR_NO_PROTOCOL', message);
  }
}
defineBrand(NoProtocolError, 'NoProtocolError');
