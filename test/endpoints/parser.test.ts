// The endpoint description syntax (Twisted's _tokenize/_parse), every built-in string form and
// what it builds, and every parse error with its stable code. No reactor runs here: parsing
// and constructing endpoints open nothing.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  clientFromString,
  EndpointStringError,
  HostnameEndpoint,
  InvalidArgTypeError,
  InvalidArgValueError,
  parseDescription,
  quoteStringArgument,
  Reactor,
  serverFromString,
  TCP4ServerEndpoint,
  TCP6ServerEndpoint,
  UNIXClientEndpoint,
  UNIXServerEndpoint,
} from '../../src/index';
import { thrownBy } from '../support/thrown';

// A reactor holds no native resource until first used: parsing never uses it.
const reactor = new Reactor();

describe('parseDescription', () => {
  it.each([
    ['tcp:80', 'tcp', ['80'], {}],
    ['tcp:80:interface=127.0.0.1', 'tcp', ['80'], { interface: '127.0.0.1' }],
    ['tcp:port=80:backlog=5', 'tcp', [], { port: '80', backlog: '5' }],
    ['unix:/tmp/a\\:b', 'unix', ['/tmp/a:b'], {}],
    ['unix:address=/tmp/a\\=b', 'unix', [], { address: '/tmp/a=b' }],
    ['x:a=b=c', 'x', [], { a: 'b=c' }],
    ['x:k\\=ey=v', 'x', [], { 'k=ey': 'v' }],
    ['x:back\\\\slash', 'x', ['back\\slash'], {}],
    ['x:\\t', 'x', ['t'], {}],
    ['x::', 'x', ['', ''], {}],
    ['x:a=', 'x', [], { a: '' }],
    ['x:1:k=v:2', 'x', ['1', '2'], { k: 'v' }],
    ['tcp6:port=0:interface=\\:\\:1', 'tcp6', [], { port: '0', interface: '::1' }],
    [
      'x:__proto__=1:constructor=2',
      'x',
      [],
      Object.fromEntries([
        ['__proto__', '1'],
        ['constructor', '2'],
      ]),
    ],
  ])('%j', (description, type, positional, keywords) => {
    const parsed = parseDescription(description);
    expect(parsed.type).toBe(type);
    expect(parsed.positional).toEqual(positional);
    expect([...parsed.keywords]).toEqual(Object.entries(keywords));
  });
});

type Case = [description: string, code: string];

const SYNTAX: Case[] = [
  ['', 'ERR_IOREACTOR_ENDPOINT_SYNTAX'],
  ['   ', 'ERR_IOREACTOR_ENDPOINT_SYNTAX'],
  ['tcp:80\\', 'ERR_IOREACTOR_ENDPOINT_SYNTAX'],
  [':80', 'ERR_IOREACTOR_ENDPOINT_SYNTAX'],
  ['port=80', 'ERR_IOREACTOR_ENDPOINT_SYNTAX'],
  ['tcp:port=1:port=2', 'ERR_IOREACTOR_ENDPOINT_DUPLICATE_ARGUMENT'],
];

const SERVER_ERRORS: Case[] = [
  ...SYNTAX,
  ['nope:80', 'ERR_IOREACTOR_ENDPOINT_UNKNOWN_TYPE'],
  ['8080', 'ERR_IOREACTOR_ENDPOINT_UNKNOWN_TYPE'],
  ['tcp', 'ERR_IOREACTOR_ENDPOINT_MISSING_ARGUMENT'],
  ['tcp:interface=127.0.0.1', 'ERR_IOREACTOR_ENDPOINT_MISSING_ARGUMENT'],
  ['unix', 'ERR_IOREACTOR_ENDPOINT_MISSING_ARGUMENT'],
  ['tcp:80:color=red', 'ERR_IOREACTOR_ENDPOINT_UNKNOWN_ARGUMENT'],
  ['tcp:80:127.0.0.1:50:extra', 'ERR_IOREACTOR_ENDPOINT_UNKNOWN_ARGUMENT'],
  ['unix:/tmp/s:timeout=1', 'ERR_IOREACTOR_ENDPOINT_UNKNOWN_ARGUMENT'],
  ['tcp:80:port=81', 'ERR_IOREACTOR_ENDPOINT_DUPLICATE_ARGUMENT'],
  ['tcp:', 'ERR_IOREACTOR_INVALID_PORT'],
  ['tcp:http', 'ERR_IOREACTOR_INVALID_PORT'],
  ['tcp:-1', 'ERR_IOREACTOR_INVALID_PORT'],
  ['tcp:65536', 'ERR_IOREACTOR_INVALID_PORT'],
  ['tcp:8.5', 'ERR_IOREACTOR_INVALID_PORT'],
  ['tcp: 80', 'ERR_IOREACTOR_INVALID_PORT'],
  ['tcp6:port=1e3', 'ERR_IOREACTOR_INVALID_PORT'],
  ['tcp:80:backlog=0', 'ERR_IOREACTOR_ENDPOINT_INVALID_VALUE'],
  ['tcp:80:backlog=many', 'ERR_IOREACTOR_ENDPOINT_INVALID_VALUE'],
  ['tcp:80:interface=localhost', 'ERR_IOREACTOR_INVALID_ADDRESS'],
  ['tcp:80:interface=\\:\\:1', 'ERR_IOREACTOR_INVALID_ADDRESS'],
  ['tcp6:80:interface=127.0.0.1', 'ERR_IOREACTOR_INVALID_ADDRESS'],
  ['tcp6:80:interface=', 'ERR_IOREACTOR_INVALID_ADDRESS'],
  ['tcp:80:interface=999.1.1.1', 'ERR_IOREACTOR_INVALID_ADDRESS'],
  ['unix:', 'ERR_IOREACTOR_INVALID_PATH'],
  [`unix:/${'x'.repeat(107)}`, 'ERR_IOREACTOR_INVALID_PATH'],
  ['unix:/tmp/a\0b', 'ERR_IOREACTOR_INVALID_PATH'],
  ['unix:/tmp/s:mode=999', 'ERR_IOREACTOR_ENDPOINT_INVALID_VALUE'],
  ['unix:/tmp/s:mode=rw', 'ERR_IOREACTOR_ENDPOINT_INVALID_VALUE'],
  ['unix:/tmp/s:lockfile=yes', 'ERR_IOREACTOR_ENDPOINT_INVALID_VALUE'],
  ['unix:/tmp/s:lockfile=1', 'ERR_IOREACTOR_ENDPOINT_UNSUPPORTED'],
];

const CLIENT_ERRORS: Case[] = [
  ...SYNTAX,
  ['tcp6:host=::1:port=80', 'ERR_IOREACTOR_ENDPOINT_UNKNOWN_TYPE'],
  ['tcp:example.org', 'ERR_IOREACTOR_ENDPOINT_MISSING_ARGUMENT'],
  ['tcp:port=80', 'ERR_IOREACTOR_ENDPOINT_MISSING_ARGUMENT'],
  ['unix:timeout=5', 'ERR_IOREACTOR_ENDPOINT_MISSING_ARGUMENT'],
  ['tcp:example.org:80:timeout=5:extra', 'ERR_IOREACTOR_ENDPOINT_UNKNOWN_ARGUMENT'],
  ['tcp:host=example.org:port=80:interface=127.0.0.1', 'ERR_IOREACTOR_ENDPOINT_UNKNOWN_ARGUMENT'],
  ['unix:/tmp/s:mode=600', 'ERR_IOREACTOR_ENDPOINT_UNKNOWN_ARGUMENT'],
  ['tcp:example.org:80:host=other', 'ERR_IOREACTOR_ENDPOINT_DUPLICATE_ARGUMENT'],
  ['unix:/tmp/s:path=/tmp/t', 'ERR_IOREACTOR_ENDPOINT_DUPLICATE_ARGUMENT'],
  ['tcp:example.org:0', 'ERR_IOREACTOR_INVALID_PORT'],
  ['tcp:example.org:http', 'ERR_IOREACTOR_INVALID_PORT'],
  ['tcp:host=example.org:port=70000', 'ERR_IOREACTOR_INVALID_PORT'],
  ['tcp:host=:port=80', 'ERR_IOREACTOR_INVALID_ADDRESS'],
  ['tcp:host=a b:port=80', 'ERR_IOREACTOR_INVALID_ADDRESS'],
  ['tcp:127.0.0.1:80:bindAddress=localhost', 'ERR_IOREACTOR_INVALID_ADDRESS'],
  ['tcp:127.0.0.1:80:timeout=soon', 'ERR_IOREACTOR_ENDPOINT_INVALID_VALUE'],
  ['tcp:127.0.0.1:80:timeout=-1', 'ERR_IOREACTOR_ENDPOINT_INVALID_VALUE'],
  ['unix:/tmp/s:checkPID=2', 'ERR_IOREACTOR_ENDPOINT_INVALID_VALUE'],
  ['unix:', 'ERR_IOREACTOR_INVALID_PATH'],
  ['unix:/tmp/s:checkPID=1', 'ERR_IOREACTOR_ENDPOINT_UNSUPPORTED'],
];

describe('serverFromString', () => {
  it.each([
    ['tcp:8080', TCP4ServerEndpoint, { port: 8080, interface: '', backlog: 50 }],
    ['tcp:0:interface=127.0.0.1', TCP4ServerEndpoint, { port: 0, interface: '127.0.0.1' }],
    ['tcp:port=8080:interface=127.0.0.1:backlog=7', TCP4ServerEndpoint, { port: 8080, interface: '127.0.0.1', backlog: 7 }],
    ['TCP:80:127.0.0.1:9', TCP4ServerEndpoint, { port: 80, interface: '127.0.0.1', backlog: 9 }],
    ['tcp6:8080', TCP6ServerEndpoint, { port: 8080, interface: '::' }],
    ['tcp6:port=0:interface=\\:\\:1', TCP6ServerEndpoint, { port: 0, interface: '::1' }],
    ['unix:/var/run/app.sock', UNIXServerEndpoint, { address: '/var/run/app.sock', mode: 0o666, backlog: 50 }],
    ['unix:address=/tmp/a\\:b:mode=600:backlog=3:lockfile=0', UNIXServerEndpoint, { address: '/tmp/a:b', mode: 0o600, backlog: 3 }],
    ['unix:\0abstract', UNIXServerEndpoint, { address: '\0abstract' }],
  ])('%j', (description, cls, fields) => {
    const endpoint = serverFromString(reactor, description);
    expect(endpoint).toBeInstanceOf(cls);
    expect(endpoint).toMatchObject(fields);
  });

  it.each(SERVER_ERRORS)('%j fails with %s', (description, code) => {
    const err = thrownBy(() => serverFromString(reactor, description));
    expect(err).toBeInstanceOf(EndpointStringError);
    expect(err).toBeInstanceOf(InvalidArgValueError);
    expect(err).toMatchObject({ code, description });
  });

  it('refuses a description that is not a string with ERR_IOREACTOR_INVALID_ARG_TYPE', () => {
    for (const value of [undefined, null, 80, {}, ['tcp:80']]) {
      const err = thrownBy(() => serverFromString(reactor, value as never));
      expect(err).toBeInstanceOf(InvalidArgTypeError);
      expect(err).toMatchObject({ code: 'ERR_IOREACTOR_INVALID_ARG_TYPE' });
    }
    expect(thrownBy(() => serverFromString(null as never, 'tcp:80'))).toMatchObject({ code: 'ERR_IOREACTOR_INVALID_ARG_TYPE' });
  });
});

describe('clientFromString', () => {
  it.each([
    ['tcp:host=example.org:port=80:timeout=5', HostnameEndpoint, { host: 'example.org', port: 80, timeout: 5, bindAddress: undefined }],
    ['tcp:example.org:80', HostnameEndpoint, { host: 'example.org', port: 80, timeout: 30 }],
    ['tcp:host=example.org:80', HostnameEndpoint, { host: 'example.org', port: 80 }],
    ['tcp:127.0.0.1:port=80:timeout=2.5', HostnameEndpoint, { host: '127.0.0.1', port: 80, timeout: 2.5 }],
    ['tcp:\\:\\:1:8080:bindAddress=\\:\\:1', HostnameEndpoint, { host: '::1', port: 8080, bindAddress: ['::1', 0] }],
    ['tcp:host=127.0.0.1:port=80:bindAddress=127.0.0.1:timeout=0', HostnameEndpoint, { bindAddress: ['127.0.0.1', 0], timeout: 0 }],
    ['unix:/var/run/app.sock', UNIXClientEndpoint, { path: '/var/run/app.sock', timeout: 30 }],
    ['unix:path=/tmp/x\\=y:timeout=9:checkPID=0', UNIXClientEndpoint, { path: '/tmp/x=y', timeout: 9 }],
  ])('%j', (description, cls, fields) => {
    const endpoint = clientFromString(reactor, description);
    expect(endpoint).toBeInstanceOf(cls);
    expect(endpoint).toMatchObject(fields);
  });

  it.each(CLIENT_ERRORS)('%j fails with %s', (description, code) => {
    const err = thrownBy(() => clientFromString(reactor, description));
    expect(err).toBeInstanceOf(EndpointStringError);
    expect(err).toMatchObject({ code, description });
  });
});

describe('quoteStringArgument', () => {
  it('escapes backslash, colon and equals', () => {
    expect(quoteStringArgument('a:b=c\\d')).toBe('a\\:b\\=c\\\\d');
    expect(clientFromString<UNIXClientEndpoint>(reactor, `unix:${quoteStringArgument('/tmp/we:ird=name\\')}`).path).toBe('/tmp/we:ird=name\\');
  });

  it('round-trips any string, positional or keyword', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), fc.string({ unit: 'binary' }), (value, other) => {
        const parsed = parseDescription(`x:${quoteStringArgument(value)}:k=${quoteStringArgument(other)}`);
        expect(parsed.positional).toEqual([value]);
        expect(parsed.keywords.get('k')).toBe(other);
      }),
      { numRuns: 2000 },
    );
  });

  it('no input makes the parsers throw anything but a coded error', () => {
    const alphabet = fc.constantFrom(':', '=', '\\', 'tcp', 'tcp6', 'unix', 'port', 'host', 'interface', 'mode', '0', '80', '::1', '/', 'a', '\0', ' ', 'é');
    const description = fc.oneof(
      fc.string({ unit: 'binary' }),
      fc.array(alphabet, { maxLength: 12 }).map((parts) => parts.join('')),
    );
    fc.assert(
      fc.property(description, (text) => {
        for (const parse of [serverFromString, clientFromString]) {
          let err: unknown;
          try {
            parse(reactor, text);
          } catch (e) {
            err = e;
          }
          if (err !== undefined) {
            expect(err).toBeInstanceOf(EndpointStringError);
            expect((err as EndpointStringError).code).toMatch(/^ERR_IOREACTOR_/);
          }
        }
      }),
      { numRuns: 3000 },
    );
  });
});
