// The endpoint type registry: a package adds its own prefix (what Twisted's endpoint plugins do)
// and serverFromString/clientFromString find it; a prefix registered twice is refused.
import { describe, expect, it } from 'vitest';
import {
  clientFromString,
  DuplicateEndpointTypeError,
  EndpointArguments,
  EndpointStringError,
  IoReactorError,
  Reactor,
  registerClientEndpointType,
  registerServerEndpointType,
  serverFromString,
  TCP4ServerEndpoint,
  UNIXClientEndpoint,
  type EndpointReactor,
  type ParsedDescription,
} from '../../src/index';
import { thrownBy } from '../support/thrown';

const reactor = new Reactor();

describe('endpoint type registry', () => {
  it('a registered server prefix is parsed by its parser, with bound arguments and coded errors', () => {
    const seen: { reactor: EndpointReactor; parsed: ParsedDescription }[] = [];
    registerServerEndpointType('loopback', (r, parsed, description) => {
      seen.push({ reactor: r, parsed });
      const args = new EndpointArguments(parsed, description, ['port', 'backlog']);
      return new TCP4ServerEndpoint(r, args.port('port', true), args.integer('backlog', 50, 1, 65535), '127.0.0.1');
    });
    const endpoint = serverFromString(reactor, 'LoopBack:8080:backlog=9');
    expect(endpoint).toBeInstanceOf(TCP4ServerEndpoint);
    expect(endpoint).toMatchObject({ port: 8080, backlog: 9, interface: '127.0.0.1' });
    expect(seen[0].reactor).toBe(reactor);
    expect(seen[0].parsed).toMatchObject({ type: 'LoopBack', positional: ['8080'] });
    expect(thrownBy(() => serverFromString(reactor, 'loopback:8080:interface=::'))).toMatchObject({ code: 'ERR_IOREACTOR_ENDPOINT_UNKNOWN_ARGUMENT' });
    expect(thrownBy(() => serverFromString(reactor, 'loopback:port=x'))).toMatchObject({ code: 'ERR_IOREACTOR_INVALID_PORT' });
    // Registered for servers only: clients do not know it.
    expect(thrownBy(() => clientFromString(reactor, 'loopback:8080'))).toMatchObject({ code: 'ERR_IOREACTOR_ENDPOINT_UNKNOWN_TYPE' });
  });

  it('a registered client prefix is parsed by its parser', () => {
    registerClientEndpointType(
      'sock',
      (r, parsed, description) => new UNIXClientEndpoint(r, `/run/${new EndpointArguments(parsed, description, ['name']).required('name')}.sock`),
    );
    expect(clientFromString(reactor, 'sock:app')).toMatchObject({ path: '/run/app.sock' });
    expect(thrownBy(() => clientFromString(reactor, 'sock'))).toMatchObject({ code: 'ERR_IOREACTOR_ENDPOINT_MISSING_ARGUMENT' });
  });

  it('a prefix registered twice, built-in ones included and in any case, throws DuplicateEndpointTypeError', () => {
    registerServerEndpointType('twice', () => ({}));
    for (const [register, prefix] of [
      [registerServerEndpointType, 'twice'],
      [registerServerEndpointType, 'TWICE'],
      [registerServerEndpointType, 'tcp'],
      [registerServerEndpointType, 'unix'],
      [registerClientEndpointType, 'Tcp'],
    ] as const) {
      const err = thrownBy(() => register(prefix, () => ({})));
      expect(err).toBeInstanceOf(DuplicateEndpointTypeError);
      expect(err).toBeInstanceOf(IoReactorError);
      expect(err).toMatchObject({ code: 'ERR_IOREACTOR_ENDPOINT_DUPLICATE_TYPE', prefix });
    }
    // The same prefix on the other side is a different registration.
    registerClientEndpointType('twice', () => ({}));
  });

  it('refuses a bad prefix or parser with coded errors', () => {
    for (const prefix of ['', '1tcp', 'a:b', 'a=b', 'a b', 'é']) {
      expect(thrownBy(() => registerServerEndpointType(prefix, () => ({})))).toMatchObject({ code: 'ERR_IOREACTOR_ENDPOINT_INVALID_PREFIX' });
    }
    expect(thrownBy(() => registerServerEndpointType(42 as never, () => ({})))).toMatchObject({ code: 'ERR_IOREACTOR_INVALID_ARG_TYPE' });
    expect(thrownBy(() => registerClientEndpointType('fine', 'parser' as never))).toMatchObject({ code: 'ERR_IOREACTOR_INVALID_ARG_TYPE' });
  });

  it('a parser that throws its own EndpointStringError reaches the caller unchanged', () => {
    registerServerEndpointType('strict', (_r, parsed, description) => {
      throw new EndpointStringError('ERR_IOREACTOR_ENDPOINT_INVALID_VALUE', `strict: ${parsed.positional.length} arguments`, description);
    });
    expect(thrownBy(() => serverFromString(reactor, 'strict:a:b'))).toMatchObject({
      code: 'ERR_IOREACTOR_ENDPOINT_INVALID_VALUE',
      description: 'strict:a:b',
      message: 'strict: 2 arguments in endpoint description "strict:a:b"',
    });
  });
});
