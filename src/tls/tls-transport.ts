import type * as tls from 'node:tls';
import { Failure } from '../defer/failure';
import type { IStreamTransport, ITLSTransport } from '../interfaces/transport';
import type { Protocol } from '../protocol/protocol';
import { DuplexProtocol } from '../transport/duplex-protocol';
import { ConnectionDone } from '../transport/errors';
import { NodeStreamTransport, type StreamTransportOptions } from '../transport/node-stream-transport';
import { TLSHandshakeError } from './errors';
import { handshakeFailure } from './handshake';

/**
 * The transport a protocol gets on a TLS connection: its writes are encrypted by a node:tls
 * TLSSocket and go down the ioreactor connection underneath (the carrier), its dataReceived
 * gets the decrypted bytes. Addresses and TCP options are the carrier's. Everything else is a
 * Node-stream transport's (see connectStreamToProtocol): `loseConnection` sends TLS's
 * close_notify, then closes once it is sent.
 *
 * A failure during the handshake reaches connectionLost as a TLSHandshakeError (or its
 * TLSVerificationError, TLSHandshakeTimeout); one after it as a ConnectionLost whose `cause`
 * is Node's error.
 */
export class TLSTransport extends NodeStreamTransport implements ITLSTransport {
  private handshakeDone = false;
  private handshakeError: TLSHandshakeError | undefined;
  private finalReason: Error | undefined;
  /** Why the connection underneath was lost, when not cleanly. */
  private carrierFailure: Error | undefined;
  /** @internal Told the reason connectionLost was given, after the protocol was. */
  onLost: ((reason: Failure) => void) | undefined;
  /** @internal Told once the connection has closed, after the protocol was. */
  afterClose: (() => void) | undefined;

  /** @internal */
  constructor(
    /** The node:tls socket itself, for what this transport does not expose. */
    readonly tlsSocket: tls.TLSSocket,
    protocol: Protocol,
    private readonly carrier: IStreamTransport,
    options: StreamTransportOptions,
  ) {
    super(tlsSocket, protocol, options);
  }

  get alpnProtocol(): string | false | null {
    return this.tlsSocket.alpnProtocol ?? null;
  }

  get servername(): string | undefined {
    const name = (this.tlsSocket as { servername?: unknown }).servername;
    return typeof name === 'string' && name !== '' ? name : undefined;
  }

  getPeerCertificate(detailed = false): tls.PeerCertificate | tls.DetailedPeerCertificate {
    return this.tlsSocket.getPeerCertificate(detailed);
  }

  getProtocol(): string | null {
    return this.tlsSocket.getProtocol();
  }

  /**
   * Once the handshake is done, a write that nothing is queued in front of reaches node:tls at
   * once, which encrypts it (or copies it, when OpenSSL cannot take it yet) before returning:
   * the bytes are taken during the call without the copy a Node stream needs otherwise.
   */
  protected override bytesToWrite(data: ArrayBufferView): Buffer {
    const socket = this.tlsSocket;
    if (this.handshakeDone && socket.writableLength === 0 && socket.writableCorked === 0 && !socket.connecting) {
      return Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
    }
    return super.bytesToWrite(data);
  }

  override setTcpNoDelay(enabled: boolean): void {
    this.carrier.setTcpNoDelay(enabled);
  }

  override getTcpNoDelay(): boolean {
    return this.carrier.getTcpNoDelay();
  }

  override setTcpKeepAlive(enabled: boolean): void {
    this.carrier.setTcpKeepAlive(enabled);
  }

  override getTcpKeepAlive(): boolean {
    return this.carrier.getTcpKeepAlive();
  }

  /** @internal The handshake finished: with `failure`, the connection is being closed for it. */
  handshakeSettled(failure?: TLSHandshakeError): void {
    this.handshakeDone = failure === undefined;
    this.handshakeError = failure;
  }

  /** @internal The connection underneath is gone: a TLSSocket sees only an end, so its reason is kept here. */
  carrierLost(reason: Failure): void {
    if (reason.check(ConnectionDone) === null && reason.value instanceof Error) this.carrierFailure = reason.value;
  }

  protected override lostReason(failure: Error | undefined): Error {
    if (this.handshakeError !== undefined) this.finalReason = this.handshakeError;
    else if (failure === undefined && this.carrierFailure !== undefined) this.finalReason = this.carrierFailure;
    else if (!this.handshakeDone) this.finalReason = handshakeFailure(failure ?? new TLSHandshakeError('the connection closed during the TLS handshake'));
    else this.finalReason = super.lostReason(failure);
    return this.finalReason;
  }

  protected override closed(): void {
    super.closed();
    this.afterClose?.();
    const reason = this.finalReason;
    if (reason !== undefined && this.onLost !== undefined) {
      this.onLost(new Failure(reason));
      this.onLost = undefined;
    }
  }
}

/** The protocol of the connection underneath a TLS transport: a DuplexProtocol that passes on why it was lost. */
export class TLSCarrier extends DuplexProtocol {
  tls: TLSTransport | undefined;
  /** The transport's own methods, taken when it was connected: startTLS later routes its public ones into TLS. */
  private plain: Pick<IStreamTransport, 'write' | 'writeSequence' | 'loseConnection' | 'abortConnection' | 'loseWriteConnection'> | undefined;

  override makeConnection(transport: IStreamTransport): void {
    const { write, writeSequence, loseConnection, abortConnection, loseWriteConnection } = transport;
    this.plain = { write, writeSequence, loseConnection, abortConnection, loseWriteConnection };
    super.makeConnection(transport);
  }

  protected override passToTransport(chunk: Buffer): void {
    this.plain!.write.call(this.transport, chunk);
  }

  protected override passSequenceToTransport(chunks: Buffer[]): void {
    this.plain!.writeSequence.call(this.transport, chunks);
  }

  protected override closeTransport(abort: boolean): void {
    if (abort) this.plain!.abortConnection.call(this.transport);
    else this.plain!.loseConnection.call(this.transport);
  }

  protected override shutTransportWrite(): void {
    this.plain!.loseWriteConnection.call(this.transport);
  }

  override connectionLost(reason: Failure): void {
    this.tls?.carrierLost(reason);
    super.connectionLost(reason);
  }
}
