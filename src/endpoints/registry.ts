// serverFromString and clientFromString, and the registry behind them: what Twisted's endpoint
// plugins (IStreamServerEndpointStringParser, IStreamClientEndpointStringParserWithReactor)
// do, as two functions a package calls once when it is loaded.
import { InvalidArgTypeError, InvalidArgValueError } from '../errors';
import { describe } from '../util/validate';
import { DuplicateEndpointTypeError, EndpointStringError } from './errors';
import type { EndpointReactor, IStreamClientEndpoint, IStreamServerEndpoint } from './interfaces';
import { parseDescription, type ParsedDescription } from './parser';
import { parseSSLClient, parseSSLServer } from './ssl-types';
import { parseUDPClient, parseUDPServer } from './udp-types';
import { parseTCP6Server, parseTCPClient, parseTCPServer, parseUNIXClient, parseUNIXServer } from './stream-types';

/**
 * Makes an endpoint from a parsed description. `description` is the whole string, for error
 * messages; `new EndpointArguments(parsed, description, names)` binds the arguments to names
 * and converts their values with coded errors. Throw an EndpointStringError for a bad value.
 */
export type EndpointParser<E> = (reactor: EndpointReactor, parsed: ParsedDescription, description: string) => E;

const serverParsers = new Map<string, EndpointParser<object>>([
  ['tcp', parseTCPServer],
  ['tcp6', parseTCP6Server],
  ['unix', parseUNIXServer],
  ['ssl', parseSSLServer],
  ['udp', parseUDPServer],
]);

const clientParsers = new Map<string, EndpointParser<object>>([
  ['tcp', parseTCPClient],
  ['unix', parseUNIXClient],
  ['ssl', parseSSLClient],
  ['udp', parseUDPClient],
]);

/**
 * Adds a server endpoint type: `serverFromString(reactor, '<prefix>:...')` will call `parser`.
 * Prefixes are matched without regard to case. A prefix already registered (a built-in one
 * included) throws DuplicateEndpointTypeError.
 */
export function registerServerEndpointType(prefix: string, parser: EndpointParser<object>): void {
  register(serverParsers, prefix, parser);
}

/** Adds a client endpoint type for clientFromString, as registerServerEndpointType does for servers. */
export function registerClientEndpointType(prefix: string, parser: EndpointParser<object>): void {
  register(clientParsers, prefix, parser);
}

/**
 * A server endpoint from its description, as Twisted's serverFromString:
 * `tcp:8080:interface=127.0.0.1`, `tcp6:port=0:interface=\:\:1`, `unix:/run/app.sock:mode=600`.
 * The type parameter is the kind of endpoint the prefix makes: a stream server endpoint for the
 * built-in ones.
 *
 * @throws EndpointStringError with the code of the mistake (see EndpointStringErrorCode).
 */
export function serverFromString<E = IStreamServerEndpoint>(reactor: EndpointReactor, description: string): E {
  return fromString(serverParsers, 'server', reactor, description) as E;
}

/**
 * A client endpoint from its description, as Twisted's clientFromString:
 * `tcp:host=example.org:port=80:timeout=5`, `tcp:127.0.0.1:8080`, `unix:path=/run/app.sock`.
 *
 * @throws EndpointStringError with the code of the mistake (see EndpointStringErrorCode).
 */
export function clientFromString<E = IStreamClientEndpoint>(reactor: EndpointReactor, description: string): E {
  return fromString(clientParsers, 'client', reactor, description) as E;
}

function fromString(parsers: Map<string, EndpointParser<object>>, side: string, reactor: EndpointReactor, description: string): object {
  if (reactor === null || typeof reactor !== 'object') throw new InvalidArgTypeError(`reactor must be a reactor, received ${describe(reactor)}`);
  const parsed = parseDescription(description);
  const parser = parsers.get(parsed.type.toLowerCase());
  if (parser === undefined) {
    throw new EndpointStringError('ERR_IOREACTOR_ENDPOINT_UNKNOWN_TYPE', `unknown ${side} endpoint type ${JSON.stringify(parsed.type)}`, description);
  }
  return parser(reactor, parsed, description);
}

function register(parsers: Map<string, EndpointParser<object>>, prefix: unknown, parser: unknown): void {
  if (typeof prefix !== 'string') throw new InvalidArgTypeError(`prefix must be a string, received ${describe(prefix)}`);
  if (!/^[A-Za-z][A-Za-z0-9+.-]*$/.test(prefix)) {
    throw new InvalidArgValueError(
      `prefix must be a letter then letters, digits, '+', '-' or '.', received ${JSON.stringify(prefix)}`,
      'ERR_IOREACTOR_ENDPOINT_INVALID_PREFIX',
    );
  }
  if (typeof parser !== 'function') throw new InvalidArgTypeError(`parser must be a function, received ${describe(parser)}`);
  const key = prefix.toLowerCase();
  if (parsers.has(key)) throw new DuplicateEndpointTypeError(prefix);
  parsers.set(key, parser as EndpointParser<object>);
}
