// The endpoint types every reactor has: `tcp:`, `tcp6:` and `unix:` for servers, `tcp:` and
// `unix:` for clients (Twisted's _parseTCP, _parseUNIX, _parseClientTCP, _parseClientUNIX).
// Other types (udp:, ssl:...) register themselves the same way from their own module.
import { EndpointArguments } from './arguments';
import { HostnameEndpoint, UNIXClientEndpoint } from './client-endpoints';
import type { EndpointReactor } from './interfaces';
import type { ParsedDescription } from './parser';
import { TCP4ServerEndpoint, TCP6ServerEndpoint, UNIXServerEndpoint } from './server-endpoints';

/** `tcp:port[:interface=<IPv4>][:backlog=<n>]` (port 0: any free port). */
export function parseTCPServer(reactor: EndpointReactor, parsed: ParsedDescription, description: string): TCP4ServerEndpoint {
  const args = new EndpointArguments(parsed, description, ['port', 'interface', 'backlog']);
  return new TCP4ServerEndpoint(reactor, args.port('port', true), args.integer('backlog', 50, 1, 65535), args.numericAddress('interface', 4, ''));
}

/** `tcp6:port[:interface=<IPv6>][:backlog=<n>]`; the interface defaults to '::'. */
export function parseTCP6Server(reactor: EndpointReactor, parsed: ParsedDescription, description: string): TCP6ServerEndpoint {
  const args = new EndpointArguments(parsed, description, ['port', 'interface', 'backlog']);
  return new TCP6ServerEndpoint(reactor, args.port('port', true), args.integer('backlog', 50, 1, 65535), args.numericAddress('interface', 6, '::'));
}

/**
 * `unix:address[:mode=<octal>][:backlog=<n>][:lockfile=0]`. Twisted's `lockfile=1` (its
 * default) guards the path with a PID lock file; listenUNIX has none, so 1 is refused with
 * ERR_IOREACTOR_ENDPOINT_UNSUPPORTED rather than accepted and ignored.
 */
export function parseUNIXServer(reactor: EndpointReactor, parsed: ParsedDescription, description: string): UNIXServerEndpoint {
  const args = new EndpointArguments(parsed, description, ['address', 'mode', 'backlog', 'lockfile']);
  const address = args.unixPath('address');
  const mode = args.octal('mode', 0o666);
  const backlog = args.integer('backlog', 50, 1, 65535);
  if (args.flag('lockfile', false)) args.fail('ERR_IOREACTOR_ENDPOINT_UNSUPPORTED', 'unix: lockfile=1 (a PID lock file) is not supported; use lockfile=0');
  return new UNIXServerEndpoint(reactor, address, backlog, mode);
}

/**
 * `tcp:host:port`, `tcp:host=<h>:port=<p>`, `tcp:host=<h>:<port>`, with `timeout=<seconds>`
 * (default 30) and `bindAddress=<numeric host>`. A host name is resolved by the reactor's
 * resolver and every address tried in turn (HostnameEndpoint).
 */
export function parseTCPClient(reactor: EndpointReactor, parsed: ParsedDescription, description: string): HostnameEndpoint {
  const names = ['host', 'port', 'timeout', 'bindAddress'];
  // As Twisted: one positional argument is the port when the host is given by keyword.
  const positionalNames = parsed.positional.length === 1 && parsed.keywords.has('host') ? ['port'] : ['host', 'port'];
  const args = new EndpointArguments(parsed, description, names, positionalNames);
  const host = args.host('host');
  const port = args.port('port', false);
  const timeout = args.seconds('timeout', 30);
  const bindAddress: [string, number] | undefined = args.has('bindAddress') ? [args.numericAddress('bindAddress', 'any', ''), 0] : undefined;
  return new HostnameEndpoint(reactor, host, port, timeout, bindAddress);
}

/**
 * `unix:path[:timeout=<seconds>][:checkPID=0]`. `checkPID=1` (look for the server's lock file)
 * is refused with ERR_IOREACTOR_ENDPOINT_UNSUPPORTED, as `lockfile=1` is.
 */
export function parseUNIXClient(reactor: EndpointReactor, parsed: ParsedDescription, description: string): UNIXClientEndpoint {
  const args = new EndpointArguments(parsed, description, ['path', 'timeout', 'checkPID']);
  const path = args.unixPath('path');
  const timeout = args.seconds('timeout', 30);
  if (args.flag('checkPID', false)) args.fail('ERR_IOREACTOR_ENDPOINT_UNSUPPORTED', 'unix: checkPID=1 (a PID lock file) is not supported; use checkPID=0');
  return new UNIXClientEndpoint(reactor, path, timeout);
}
