// The errors of datagram ports: a datagram too large to send (Twisted's MessageLengthError), a
// datagram that arrived larger than the port's maxPacketSize, and a write to a closed port.
import { defineBrand, IoReactorError } from '../errors';

/**
 * A datagram too large to send: over 65,507 bytes on IPv4 or 65,527 on IPv6 (the most a UDP
 * datagram carries), or refused by the kernel as too long (EMSGSIZE, UNIX datagrams beyond the
 * socket's buffer). Twisted's MessageLengthError. Code: `ERR_IOREACTOR_DATAGRAM_TOO_LARGE`.
 */
export class DatagramTooLargeError extends IoReactorError {
  constructor(message = 'message too long', options?: { cause?: unknown }) {
    super('ERR_IOREACTOR_DATAGRAM_TOO_LARGE', message, options);
  }
}
defineBrand(DatagramTooLargeError, 'DatagramTooLargeError');

/**
 * A datagram arrived larger than the port's maxPacketSize and was cut. It is given to the
 * protocol's `datagramTruncated` when it has one; otherwise it is dropped and this error logged.
 * `size` is its real size where the platform tells it (Linux), else undefined.
 * Code: `ERR_IOREACTOR_DATAGRAM_TRUNCATED`.
 */
export class DatagramTruncatedError extends IoReactorError {
  constructor(
    message: string,
    readonly size: number | undefined,
  ) {
    super('ERR_IOREACTOR_DATAGRAM_TRUNCATED', message);
  }
}
defineBrand(DatagramTruncatedError, 'DatagramTruncatedError');

/** A write or option change on a datagram port that has stopped listening. Code: `ERR_IOREACTOR_DATAGRAM_PORT_CLOSED`. */
export class DatagramPortClosedError extends IoReactorError {
  constructor(message = 'the datagram port is closed') {
    super('ERR_IOREACTOR_DATAGRAM_PORT_CLOSED', message);
  }
}
defineBrand(DatagramPortClosedError, 'DatagramPortClosedError');
