// The `udp:` endpoint type: a datagram port from a description, as the stream types make ports
// and connections. Twisted's endpoints are stream-only; these follow the same syntax, with
// listen(protocol) and connect(protocol) taking a DatagramProtocol instance (a datagram port
// has one protocol, not a factory).
import { Deferred } from '../defer/deferred';
import { Failure } from '../defer/failure';
import { execute } from '../defer/simple';
import type { DatagramPort } from '../datagram/datagram-port';
import type { ListenUDPOptions } from '../datagram/datagram-endpoints';
import type { DatagramProtocol } from '../datagram/protocol';
import { collectAddresses } from '../resolver/resolve';
import { IPv6Address } from '../transport/address';
import { EndpointArguments } from './arguments';
import { ConnectingCancelledError } from './errors';
import type { EndpointReactor } from './interfaces';
import type { ParsedDescription } from './parser';

/** The reactor method the `udp:` endpoints use. A `Reactor` has it. */
export interface UDPEndpointReactor extends EndpointReactor {
  listenUDP(port: number, protocol: DatagramProtocol, options?: ListenUDPOptions): DatagramPort;
}

/** Listens for datagrams on a UDP port: `listen(protocol)` is a Deferred of the port. */
export class UDPServerEndpoint {
  constructor(
    readonly reactor: UDPEndpointReactor,
    readonly port: number,
    readonly iface = '',
    readonly maxPacketSize = 8192,
  ) {}

  listen(protocol: DatagramProtocol): Deferred<DatagramPort> {
    return execute(() => this.reactor.listenUDP(this.port, protocol, { interface: this.iface, maxPacketSize: this.maxPacketSize }));
  }

  toString(): string {
    return `UDPServerEndpoint(${this.iface || '0.0.0.0'}, ${this.port})`;
  }
}

/**
 * Connected UDP to `host`:`port`: the name is resolved by the reactor's resolver (its first
 * address is used), a port is opened on any local port of that address's family and connected
 * to it. `connect(protocol)` is a Deferred of the port, fired once it is connected; the
 * protocol's startProtocol runs when the port opens, just before it is connected, so write
 * from the Deferred's callback (or later), not from startProtocol. Cancelling it stops the
 * resolution.
 */
export class UDPClientEndpoint {
  constructor(
    readonly reactor: UDPEndpointReactor,
    readonly host: string,
    readonly port: number,
    readonly maxPacketSize = 8192,
  ) {}

  connect(protocol: DatagramProtocol): Deferred<DatagramPort> {
    let stopResolving: (() => void) | undefined;
    const d = new Deferred<DatagramPort>(() => {
      stopResolving?.();
      d.errback(new Failure(new ConnectingCancelledError(`${this.host}:${this.port}`)));
    });
    stopResolving = collectAddresses(this.reactor.nameResolver, this.host, this.port, null, (err, addresses) => {
      stopResolving = undefined;
      if (d.called) return;
      if (err) {
        d.errback(new Failure(err));
        return;
      }
      const address = addresses[0];
      let port: DatagramPort | undefined;
      try {
        port = this.reactor.listenUDP(0, protocol, { interface: address instanceof IPv6Address ? '::' : '', maxPacketSize: this.maxPacketSize });
        port.connect(address.host, this.port);
      } catch (error) {
        port?.stopListening();
        d.errback(new Failure(error));
        return;
      }
      d.callback(port);
    });
    return d;
  }

  toString(): string {
    return `UDPClientEndpoint(${this.host}, ${this.port})`;
  }
}

/** `udp:port[:interface=<numeric address>][:maxPacketSize=<bytes>]` (port 0: any free port). */
export function parseUDPServer(reactor: EndpointReactor, parsed: ParsedDescription, description: string): UDPServerEndpoint {
  const args = new EndpointArguments(parsed, description, ['port', 'interface', 'maxPacketSize']);
  const port = args.port('port', true);
  const iface = args.numericAddress('interface', 'any', '');
  const maxPacketSize = args.integer('maxPacketSize', 8192, 1, 65535);
  return new UDPServerEndpoint(udpReactor(args, reactor), port, iface, maxPacketSize);
}

/** `udp:host:port`, `udp:host=<h>:port=<p>`, with `maxPacketSize=<bytes>`: connected UDP. */
export function parseUDPClient(reactor: EndpointReactor, parsed: ParsedDescription, description: string): UDPClientEndpoint {
  const positionalNames = parsed.positional.length === 1 && parsed.keywords.has('host') ? ['port'] : ['host', 'port'];
  const args = new EndpointArguments(parsed, description, ['host', 'port', 'maxPacketSize'], positionalNames);
  const host = args.host('host');
  const port = args.port('port', false);
  const maxPacketSize = args.integer('maxPacketSize', 8192, 1, 65535);
  return new UDPClientEndpoint(udpReactor(args, reactor), host, port, maxPacketSize);
}

function udpReactor(args: EndpointArguments, reactor: EndpointReactor): UDPEndpointReactor {
  if (typeof (reactor as Partial<UDPEndpointReactor>).listenUDP !== 'function') {
    args.fail('ERR_IOREACTOR_ENDPOINT_UNSUPPORTED', 'udp: this reactor has no listenUDP');
  }
  return reactor as UDPEndpointReactor;
}
