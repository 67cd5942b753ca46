// What an in-memory fake of a stream transport does not act on (socket options, addresses,
// producers), done as nothing, so each fake in the tests spells out only the behaviour its test
// depends on and still is the IStreamTransport a Protocol is given.
import { IPv4Address, type Address, type IProducer } from '../../src/index';

export abstract class InertTransportSurface {
  loseWriteConnection(): void {}
  getPeer(): Address {
    return new IPv4Address('127.0.0.1', 54321);
  }
  getHost(): Address {
    return new IPv4Address('127.0.0.1', 12345);
  }
  setTcpNoDelay(_enabled: boolean): void {}
  getTcpNoDelay(): boolean {
    return false;
  }
  setTcpKeepAlive(_enabled: boolean): void {}
  getTcpKeepAlive(): boolean {
    return false;
  }
  registerProducer(_producer: IProducer, _streaming: boolean): void {}
  unregisterProducer(): void {}
  pauseProducing(): void {}
  resumeProducing(): void {}
  stopProducing(): void {}
}
