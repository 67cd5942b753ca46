// The `ssl:` endpoint type, server and client, with Twisted's arguments: a TLS port or
// connection (listenSSL/connectSSL) whose certificates and keys are PEM files named in the
// description and read when it is parsed, as Twisted's _parseSSL and _parseClientSSL do.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Deferred } from '../defer/deferred';
import { execute } from '../defer/simple';
import type { ClientFactory } from '../protocol/client-factory';
import type { Factory } from '../protocol/factory';
import type { ConnectTCPOptions } from '../reactor/stream-endpoints';
import type { TLSOptions } from '../tls/options';
import type { ListenSSLOptions } from '../tls/ssl-endpoints';
import type { IConnector } from '../interfaces/transport';
import type { Port } from '../transport/port';
import { EndpointArguments } from './arguments';
import { TCP4ClientEndpoint } from './client-endpoints';
import type { EndpointReactor, IStreamServerEndpoint } from './interfaces';
import type { ParsedDescription } from './parser';

/** The reactor methods the `ssl:` endpoints use. A `Reactor` has them. */
export interface SSLEndpointReactor extends EndpointReactor {
  listenSSL(port: number, factory: Factory, tlsOptions: TLSOptions, options?: ListenSSLOptions): Port;
  connectSSL(host: string, port: number, factory: ClientFactory, tlsOptions: TLSOptions, options?: ConnectTCPOptions): IConnector;
}

/** Listens for TLS over TCP (Twisted's SSL4ServerEndpoint), IPv6 when `interface` is an IPv6 address. */
export class SSL4ServerEndpoint implements IStreamServerEndpoint {
  constructor(
    readonly reactor: SSLEndpointReactor,
    readonly port: number,
    readonly tlsOptions: TLSOptions,
    readonly backlog = 50,
    readonly iface = '',
  ) {}

  listen(factory: Factory): Deferred<Port> {
    return execute(() => this.reactor.listenSSL(this.port, factory, this.tlsOptions, { backlog: this.backlog, interface: this.iface }));
  }

  toString(): string {
    return `SSL4ServerEndpoint(${this.iface || '0.0.0.0'}, ${this.port})`;
  }
}

/**
 * One connectSSL (Twisted's SSL4ClientEndpoint): the Deferred fires once the handshake is done
 * and the protocol has heard connectionMade; a failed handshake fails it with the coded TLS error.
 */
export class SSL4ClientEndpoint extends TCP4ClientEndpoint {
  constructor(
    override readonly reactor: SSLEndpointReactor,
    host: string,
    port: number,
    readonly tlsOptions: TLSOptions,
    timeout = 30,
    bindAddress?: [string, number],
  ) {
    super(reactor, host, port, timeout, bindAddress);
  }

  protected override startConnecting(wrapping: ClientFactory): IConnector {
    return this.reactor.connectSSL(this.host, this.port, wrapping, this.tlsOptions, { timeout: this.timeout, bindAddress: this.bindAddress });
  }

  override toString(): string {
    return `SSL4ClientEndpoint(${this.host}, ${this.port})`;
  }
}

/**
 * `ssl:port:privateKey=<pem>[:certKey=<pem>][:extraCertChain=<pem>][:interface=<address>][:backlog=<n>]`.
 * As in Twisted, `certKey` defaults to `privateKey` (one PEM file holding both) and
 * `extraCertChain` is sent after the certificate.
 */
export function parseSSLServer(reactor: EndpointReactor, parsed: ParsedDescription, description: string): SSL4ServerEndpoint {
  const args = new EndpointArguments(parsed, description, ['port', 'privateKey', 'certKey', 'extraCertChain', 'interface', 'backlog']);
  const port = args.port('port', true);
  const keyPath = args.required('privateKey');
  const key = readPEM(args, 'privateKey', keyPath);
  let cert = readPEM(args, 'certKey', args.string('certKey', keyPath)!);
  if (args.has('extraCertChain')) cert = Buffer.concat([cert, Buffer.from('\n'), readPEM(args, 'extraCertChain', args.required('extraCertChain'))]);
  const iface = args.numericAddress('interface', 'any', '');
  const backlog = args.integer('backlog', 50, 1, 65535);
  return new SSL4ServerEndpoint(sslReactor(args, reactor), port, { key, cert }, backlog, iface);
}

/**
 * `ssl:host=<h>:port=<p>` (or `ssl:<h>:<p>`) with `caCertsDir=<directory of PEM files>` (the
 * roots to trust; Node's own roots without it), `certKey`/`privateKey` (a client certificate),
 * `timeout` and `bindAddress`. The server's certificate is always verified against `host`.
 */
export function parseSSLClient(reactor: EndpointReactor, parsed: ParsedDescription, description: string): SSL4ClientEndpoint {
  const names = ['host', 'port', 'caCertsDir', 'certKey', 'privateKey', 'timeout', 'bindAddress'];
  const positionalNames = parsed.positional.length === 1 && parsed.keywords.has('host') ? ['port'] : ['host', 'port'];
  const args = new EndpointArguments(parsed, description, names, positionalNames);
  const host = args.host('host');
  const port = args.port('port', false);
  const tlsOptions: TLSOptions = {};
  if (args.has('caCertsDir')) tlsOptions.ca = readCertificateDirectory(args, args.required('caCertsDir'));
  if (args.has('certKey') || args.has('privateKey')) {
    const certPath = args.string('certKey') ?? args.required('privateKey');
    tlsOptions.cert = readPEM(args, 'certKey', certPath);
    tlsOptions.key = readPEM(args, 'privateKey', args.string('privateKey', certPath)!);
  }
  const timeout = args.seconds('timeout', 30);
  const bindAddress: [string, number] | undefined = args.has('bindAddress') ? [args.numericAddress('bindAddress', 'any', ''), 0] : undefined;
  return new SSL4ClientEndpoint(sslReactor(args, reactor), host, port, tlsOptions, timeout, bindAddress);
}

function sslReactor(args: EndpointArguments, reactor: EndpointReactor): SSLEndpointReactor {
  const candidate = reactor as Partial<SSLEndpointReactor>;
  if (typeof candidate.listenSSL !== 'function' || typeof candidate.connectSSL !== 'function') {
    args.fail('ERR_IOREACTOR_ENDPOINT_UNSUPPORTED', 'ssl: this reactor has no listenSSL/connectSSL');
  }
  return reactor as SSLEndpointReactor;
}

function readPEM(args: EndpointArguments, name: string, path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (error) {
    return args.fail('ERR_IOREACTOR_ENDPOINT_INVALID_VALUE', `ssl: ${name} ${JSON.stringify(path)} cannot be read (${(error as Error).message})`);
  }
}

function readCertificateDirectory(args: EndpointArguments, directory: string): Buffer[] {
  let names: string[];
  try {
    names = readdirSync(directory).filter((name) => /\.(pem|crt)$/i.test(name));
  } catch (error) {
    return args.fail('ERR_IOREACTOR_ENDPOINT_INVALID_VALUE', `ssl: caCertsDir ${JSON.stringify(directory)} cannot be read (${(error as Error).message})`);
  }
  if (names.length === 0) args.fail('ERR_IOREACTOR_ENDPOINT_INVALID_VALUE', `ssl: caCertsDir ${JSON.stringify(directory)} holds no .pem or .crt file`);
  return names.sort().map((name) => readPEM(args, 'caCertsDir', join(directory, name)));
}
