/**
 * startTLS on a plain connection (Twisted's ITLSTransport.startTLS): the connection's bytes
 * are diverted, from then on, into a TLSSocket, and the protocol continues on a TLSTransport.
 * Internal to the package.
 *
 * The diversion costs a plain connection nothing: the socket's reads go to whatever protocol
 * its StreamTransport names, and startTLS names a DuplexProtocol there (the carrier: what it
 * reads feeds TLS, what TLS writes it sends), while the user's protocol is handed the
 * TLSTransport as its `transport`. Bytes written before the call were handed to the socket
 * already, so they go out in clear, ahead of the handshake.
 */
import { InvalidArgTypeError, IoReactorError } from '../errors';
import type { ITLSTransport } from '../interfaces/transport';
import type { Logger } from '../log/logger';
import { describe } from '../util/validate';
import type { StreamTransport } from '../transport/stream-transport';
import { startHandshake } from './handshake';
import { resolveTLSOptions } from './options';
import { TLSCarrier, TLSTransport } from './tls-transport';

export function startTLS(raw: StreamTransport, tlsOptions: unknown, normal: unknown, logger: Logger): ITLSTransport {
  const resolved = resolveTLSOptions(tlsOptions);
  if (typeof normal !== 'boolean') {
    throw new InvalidArgTypeError(`normal must be a boolean, received ${describe(normal)}`);
  }
  const protocol = raw.protocol;
  if (!raw.connected || raw.disconnecting || protocol === undefined) {
    throw new IoReactorError('ERR_IOREACTOR_TLS_NOT_CONNECTED', 'startTLS needs an open connection');
  }
  // The carrier in the protocol's place means TLS was started here already (it registered itself
  // as the producer, which the next check would otherwise report).
  if (protocol instanceof TLSCarrier) {
    throw new IoReactorError('ERR_IOREACTOR_TLS_ALREADY_STARTED', 'startTLS was already called on this connection: use the TLS transport it returned');
  }
  if (raw.hasProducer) {
    throw new IoReactorError(
      'ERR_IOREACTOR_TLS_PRODUCER_REGISTERED',
      'startTLS with a producer registered: unregister it first, and register it on the TLS transport',
    );
  }
  // Twisted's `normal`: the side a connection already plays (the one that connected is the
  // client); false swaps them.
  const isServer = (raw.connector === undefined) === normal;
  const carrier = new TLSCarrier();
  raw.protocol = carrier;
  carrier.makeConnection(raw);
  const peer = raw.getPeer();
  const host = 'host' in peer && typeof peer.host === 'string' ? peer.host : undefined;
  let transport: TLSTransport | undefined;
  let socket;
  try {
    socket = startHandshake(carrier.stream, { isServer, host }, resolved, (failure) => transport?.handshakeSettled(failure));
  } catch (err) {
    // node:tls refused an option createSecureContext let through: the connection stays plain.
    raw.unregisterProducer();
    raw.protocol = protocol;
    throw err;
  }
  transport = new TLSTransport(socket, protocol, raw, { peer, host: raw.getHost(), logger });
  carrier.tls = transport;
  transport.start(false);
  return transport;
}
