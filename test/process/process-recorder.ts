// A ProcessProtocol that records everything it is told, for the process suites.
import { ProcessProtocol, type Failure } from '../../src/index';

export class RecordingProcess extends ProcessProtocol {
  /** Bytes per child descriptor. */
  readonly received = new Map<number, Buffer[]>();
  /** Every event in order: 'made', 'lost 1', 'exited', 'ended'. */
  readonly events: string[] = [];
  exitedReason: Failure | undefined;
  endedReason: Failure | undefined;

  constructor(
    private readonly onEnded: (self: RecordingProcess) => void,
    private readonly onMade: (self: RecordingProcess) => void = () => undefined,
  ) {
    super();
  }

  text(childFD: number): string {
    return Buffer.concat(this.received.get(childFD) ?? []).toString();
  }

  bytes(childFD: number): Buffer {
    return Buffer.concat(this.received.get(childFD) ?? []);
  }

  override connectionMade(): void {
    this.events.push('made');
    this.onMade(this);
  }

  override childDataReceived(childFD: number, data: Buffer): void {
    let chunks = this.received.get(childFD);
    if (chunks === undefined) this.received.set(childFD, (chunks = []));
    chunks.push(data);
  }

  override childConnectionLost(childFD: number): void {
    this.events.push(`lost ${childFD}`);
  }

  override processExited(reason: Failure): void {
    this.events.push('exited');
    this.exitedReason = reason;
  }

  override processEnded(reason: Failure): void {
    this.events.push('ended');
    this.endedReason = reason;
    this.onEnded(this);
  }
}
