/**
 * startTLS on a plain connection (Twisted's ITLSTransport.startTLS), on both kinds of plain
 * transport: a reactor's StreamTransport and a Node-stream transport (connectStreamToProtocol,
 * whose public form is here because only tls/ can give its transports startTLS). The protocol
 * continues on a TLSTransport. Internal to the package.
 *
 * The diversion costs a plain connection nothing. On a StreamTransport, the socket's reads go
 * to whatever protocol the transport names, and startTLS names a TLSCarrier there (what it reads
 * feeds TLS, what TLS writes it sends). On a Node stream, the TLSSocket takes the stream itself
 * over (a net.Socket's own handle, when it is one). Bytes written before the call were handed on
 * already, so they go out in clear, ahead of the handshake; writes to the plain transport after
 * the call go into TLS, through methods set on that one transport object at the call.
 */
import type { Duplex } from 'node:stream';
import { InvalidArgTypeError, IoReactorError } from '../errors';
import type { ITLSTransport } from '../interfaces/transport';
import type { Logger } from '../log/logger';
import type { Protocol } from '../protocol/protocol';
import { connectStream, type NodeStreamTransport, type StreamTransportOptions } from '../transport/node-stream-transport';
import type { StreamTransport } from '../transport/stream-transport';
import { describe } from '../util/validate';
import type { TLSHandshakeError } from './errors';
import { startHandshake } from './handshake';
import { resolveTLSOptions } from './options';
import { TLSCarrier, TLSTransport } from './tls-transport';

/**
 * Runs an ioreactor protocol over any Node Duplex (a `net.Socket`, a TLS socket, a pair of
 * PassThroughs, a child's stdio): the protocol's transport writes to the stream, and the
 * stream's data, end and close reach `dataReceived`, `readConnectionLost` (when the protocol
 * has it; otherwise the end of input closes the connection) and `connectionLost`.
 *
 * As with every ioreactor transport, `write` takes its bytes during the call (they are copied
 * into the stream), `pauseProducing`/`resumeProducing` pause and resume the stream's reading,
 * and a registered streaming producer is paused while the stream's `write()` returns false
 * and resumed at `'drain'`. The transport can move under TLS mid-connection (`startTLS`).
 * Returns the transport.
 */
export function connectStreamToProtocol(stream: Duplex, protocol: Protocol, options: StreamTransportOptions = {}): NodeStreamTransport {
  return connectStream(stream, protocol, options, startStreamTLS);
}

/** StreamTransport.startTLS. */
export function startTLS(raw: StreamTransport, tlsOptions: unknown, normal: unknown, logger: Logger): ITLSTransport {
  const resolved = resolveTLSOptions(tlsOptions);
  const protocol = raw.protocol;
  // The carrier in the protocol's place means TLS was started here already (it registered itself
  // as the producer, which the producer check would otherwise report).
  checkUpgrade(normal, raw.connected && !raw.disconnecting && protocol !== undefined, protocol instanceof TLSCarrier, raw.hasProducer);
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
  transport = new TLSTransport(socket, protocol!, raw, { peer, host: raw.getHost(), logger });
  carrier.tls = transport;
  routeWritesInto(raw, transport);
  transport.start(false);
  return transport;
}

/** NodeStreamTransport.startTLS: the TLSSocket reads and writes the stream from now on. */
function startStreamTLS(plain: NodeStreamTransport, tlsOptions: unknown, normal: unknown): ITLSTransport {
  const resolved = resolveTLSOptions(tlsOptions);
  checkUpgrade(normal, plain.connected && !plain.disconnecting, plain.handedOver, plain.hasProducer);
  const isServer = plain.acceptedSide === normal;
  const peer = plain.getPeer();
  const host = 'host' in peer && typeof peer.host === 'string' ? peer.host : undefined;
  const { stream, protocol, logger } = plain.handOver();
  let transport: TLSTransport | undefined;
  // A stream that answers at once (an in-memory pair) can complete the handshake before
  // startHandshake returns: the outcome is kept for the transport made just after.
  let early: { failure: TLSHandshakeError | undefined } | undefined;
  // A failure here (an option node:tls refuses) leaves the stream paused and without a reader:
  // the caller's connection is unusable either way, and the error says why.
  const socket = startHandshake(stream, { isServer, host }, resolved, (failure) => {
    if (transport === undefined) early = { failure };
    else transport.handshakeSettled(failure);
  });
  transport = new TLSTransport(socket, protocol, plain, { peer, host: plain.getHost(), logger });
  if (early !== undefined) transport.handshakeSettled(early.failure);
  transport.afterClose = () => plain.handedOverClosed();
  routeWritesInto(plain, transport);
  transport.start(false);
  return transport;
}

function checkUpgrade(normal: unknown, open: boolean, alreadyStarted: boolean, hasProducer: boolean): void {
  if (typeof normal !== 'boolean') {
    throw new InvalidArgTypeError(`normal must be a boolean, received ${describe(normal)}`);
  }
  if (!open) throw new IoReactorError('ERR_IOREACTOR_TLS_NOT_CONNECTED', 'startTLS needs an open connection');
  if (alreadyStarted) {
    throw new IoReactorError('ERR_IOREACTOR_TLS_ALREADY_STARTED', 'startTLS was already called on this connection: use the TLS transport it returned');
  }
  if (hasProducer) {
    throw new IoReactorError(
      'ERR_IOREACTOR_TLS_PRODUCER_REGISTERED',
      'startTLS with a producer registered: unregister it first, and register it on the TLS transport',
    );
  }
}

/**
 * Writes through a reference to the plain transport kept from before the call (a protocol's
 * saved `this.transport`) would go out in clear into the TLS stream and break it: from now on
 * they are encrypted, as writes to the TLS transport. Closing through it goes to TLS as well,
 * so that the peer gets close_notify; an abort stays a hard abort of the socket, after TLS was
 * told. Set on this one object, so that plain connections keep their own methods unchanged (a
 * TLSCarrier writes and closes through the methods it took from its transport when connected).
 */
function routeWritesInto(plain: StreamTransport | NodeStreamTransport, tls: TLSTransport): void {
  const abortPlain = plain.abortConnection;
  plain.write = (data) => tls.write(data);
  plain.writeSequence = (data) => tls.writeSequence(data);
  plain.loseConnection = () => tls.loseConnection();
  plain.loseWriteConnection = () => tls.loseWriteConnection();
  plain.abortConnection = () => {
    tls.abortConnection();
    abortPlain.call(plain);
  };
}
