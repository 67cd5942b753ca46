// The `ssl:` endpoint strings: a server and a client made from descriptions naming PEM files
// (written from the test-time certificates into a temporary directory) echo over TLS on every
// variant; a client trusting another CA fails with the coded verification error; and every
// mistake in an `ssl:` description has its code.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { clientFromString, quoteStringArgument, serverFromString, TLSVerificationError, type Failure, type Port } from '../../src/index';
import type { Protocol } from '../../src/index';
import { newReactor, runReactor, VARIANTS } from '../support/reactors';
import { certs, Echo, factoryOf, payload, portOf, Sender, sha256 } from './tls-support';
import { endpointErrorCode as codeOf } from '../support/thrown';

const dir = mkdtempSync(path.join(tmpdir(), 'ioreactor-ssl-endpoints-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const file = (name: string, contents: Buffer): string => {
  const p = path.join(dir, name);
  writeFileSync(p, contents);
  return quoteStringArgument(p);
};
const key = file('server.key', certs().serverKey);
const cert = file('server.crt', certs().serverCert);
const trusted = path.join(dir, 'trusted');
const untrusted = path.join(dir, 'untrusted');
const empty = path.join(dir, 'empty');
mkdirSync(empty);
for (const [d, pem] of [
  [trusted, certs().ca],
  [untrusted, certs().otherCert],
] as const) {
  rmSync(d, { recursive: true, force: true });
  mkdirSync(d);
  writeFileSync(path.join(d, 'ca.pem'), pem);
}

describe.each(VARIANTS)('ssl: endpoint strings on $name', (variant) => {
  it('a server from ssl:0:privateKey=...:certKey=... echoes 256 KiB to a client from ssl:host=...:caCertsDir=...', async () => {
    const reactor = newReactor(variant);
    const { data, digest } = payload(256 * 1024);
    let sender: Sender | undefined;
    await runReactor(reactor, (done, fail) => {
      serverFromString(reactor, `ssl:0:privateKey=${key}:certKey=${cert}:interface=127.0.0.1`)
        .listen(factoryOf(() => new Echo()))
        .addCallback((port: Port) => {
          const client = clientFromString(reactor, `ssl:host=127.0.0.1:port=${portOf(port)}:caCertsDir=${quoteStringArgument(trusted)}:timeout=5`);
          const made = new Sender(data, () => {
            port.stopListening();
            done();
          });
          client.connect(factoryOf(() => made)).addCallback((p: Protocol) => {
            sender = p as Sender;
          });
        })
        .addErrback((f: Failure) => fail(f.value));
    });
    expect(sender).toBeDefined();
    expect(sha256(sender!.chunks)).toBe(digest);
  });

  it('a client whose caCertsDir trusts another CA fails with TLSVerificationError', async () => {
    const reactor = newReactor(variant);
    let failure: Failure | undefined;
    await runReactor(reactor, (done, fail) => {
      serverFromString(reactor, `ssl:port=0:privateKey=${key}:certKey=${cert}:interface=127.0.0.1`)
        .listen(factoryOf(() => new Echo()))
        .addCallback((port: Port) => {
          clientFromString(reactor, `ssl:127.0.0.1:${portOf(port)}:caCertsDir=${quoteStringArgument(untrusted)}`)
            .connect(factoryOf(() => new Echo()))
            .addCallbacks(
              () => fail(new Error('connected to a server signed by an untrusted CA')),
              (f: Failure) => {
                failure = f;
                port.stopListening();
                done();
              },
            );
        })
        .addErrback((f: Failure) => fail(f.value));
    });
    expect(failure?.value).toBeInstanceOf(TLSVerificationError);
  });
});

describe('ssl: description mistakes', () => {
  const reactor = newReactor(VARIANTS[0]);
  afterAll(() => reactor.close());
  it.each([
    ['server without privateKey', () => serverFromString(reactor, 'ssl:0'), 'ERR_IOREACTOR_ENDPOINT_MISSING_ARGUMENT'],
    [
      'server key file missing',
      () => serverFromString(reactor, `ssl:0:privateKey=${quoteStringArgument(path.join(dir, 'absent.key'))}`),
      'ERR_IOREACTOR_ENDPOINT_INVALID_VALUE',
    ],
    ['server bad port', () => serverFromString(reactor, `ssl:70000:privateKey=${key}`), 'ERR_IOREACTOR_INVALID_PORT'],
    ['server interface not numeric', () => serverFromString(reactor, `ssl:0:privateKey=${key}:interface=localhost`), 'ERR_IOREACTOR_INVALID_ADDRESS'],
    ['server unknown argument', () => serverFromString(reactor, `ssl:0:privateKey=${key}:sslmethod=TLSv1`), 'ERR_IOREACTOR_ENDPOINT_UNKNOWN_ARGUMENT'],
    ['client without port', () => clientFromString(reactor, 'ssl:host=127.0.0.1'), 'ERR_IOREACTOR_ENDPOINT_MISSING_ARGUMENT'],
    [
      'client caCertsDir missing',
      () => clientFromString(reactor, `ssl:127.0.0.1:443:caCertsDir=${quoteStringArgument(path.join(dir, 'nowhere'))}`),
      'ERR_IOREACTOR_ENDPOINT_INVALID_VALUE',
    ],
    [
      'client caCertsDir without certificates',
      () => clientFromString(reactor, `ssl:127.0.0.1:443:caCertsDir=${quoteStringArgument(empty)}`),
      'ERR_IOREACTOR_ENDPOINT_INVALID_VALUE',
    ],
    ['client bad timeout', () => clientFromString(reactor, 'ssl:127.0.0.1:443:timeout=soon'), 'ERR_IOREACTOR_ENDPOINT_INVALID_VALUE'],
  ])('%s', (_name, make, code) => {
    expect(codeOf(make)).toBe(code);
  });

  it('a reactor without listenSSL is refused with ERR_IOREACTOR_ENDPOINT_UNSUPPORTED', () => {
    const bare = { listenTCP: reactor.listenTCP.bind(reactor) } as unknown as typeof reactor;
    expect(codeOf(() => serverFromString(bare, `ssl:0:privateKey=${key}`))).toBe('ERR_IOREACTOR_ENDPOINT_UNSUPPORTED');
  });
});
