// Type tests for what a port's getHost() answers (npm run typecheck): the address family is
// known from how the port was made, and every port is still a plain Port.
import {
  Factory,
  Protocol,
  Reactor,
  type Address,
  type IPv4Address,
  type IPv6Address,
  type Port,
  type TCPPort,
  type UNIXAddress,
  type UNIXPort,
} from '../../src/index';

type Equal<A, B> = (<G>() => G extends A ? 1 : 2) extends <G>() => G extends B ? 1 : 2 ? true : false;
function assertType<T extends true>(_?: T): void {}

// Never run: only the types matter here.
export function portHosts(reactor: Reactor): void {
  const factory = Factory.forProtocol(Protocol);

  const tcp = reactor.listenTCP(0, factory);
  assertType<Equal<ReturnType<typeof tcp.getHost>, IPv4Address | IPv6Address>>();
  const port: number = tcp.getHost().port; // no narrowing needed
  // @ts-expect-error a TCP port has no UNIX name
  void tcp.getHost().name;

  const unix = reactor.listenUNIX('/tmp/never', factory);
  assertType<Equal<ReturnType<typeof unix.getHost>, UNIXAddress>>();
  const name: string | null = unix.getHost().name;
  // @ts-expect-error a UNIX port has no port number
  void unix.getHost().port;

  const adopted = reactor.adoptStreamPort(3, 'UNIX', factory);
  assertType<Equal<ReturnType<typeof adopted.getHost>, Address>>();

  // Every port is still a Port, as before.
  const all: Port[] = [tcp, unix, adopted, ...reactor.listeningPorts()];
  const typed: [TCPPort, UNIXPort] = [tcp, unix];
  // @ts-expect-error a UNIX port is not a TCP port
  const wrong: TCPPort = unix;
  void [port, name, all, typed, wrong];
}
