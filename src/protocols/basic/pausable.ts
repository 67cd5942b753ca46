import type { IPushProducer } from '../../interfaces/transport';
import { Protocol } from '../../protocol/protocol';
import { EMPTY } from './receiver-arguments';

/**
 * The pausing shared by LineReceiver and the IntNStringReceivers (Twisted's `_PauseableMixin`).
 * A receiver is itself a push producer: pausing it stops delivery at once, even in the middle
 * of a buffer holding several messages, and pauses the transport's reads; resuming delivers
 * what was held back, then reads again.
 */
export abstract class PausableReceiver extends Protocol implements IPushProducer {
  /** True between pauseProducing (or stopProducing) and resumeProducing. */
  paused = false;

  /** Stops delivering messages, and stops the transport reading. */
  pauseProducing(): void {
    this.paused = true;
    transportProducer(this)?.pauseProducing();
  }

  /** Delivers any messages held back while paused, and lets the transport read again. */
  resumeProducing(): void {
    this.paused = false;
    transportProducer(this)?.resumeProducing();
    this.dataReceived(EMPTY);
  }

  /** Stops delivering for good and tells the transport to stop (it closes the connection). */
  stopProducing(): void {
    this.paused = true;
    transportProducer(this)?.stopProducing();
  }
}

/** The transport's read side, which StreamTransport (and every policy wrapper) provides. */
function transportProducer(p: Protocol): IPushProducer | undefined {
  return p.transport as unknown as IPushProducer | undefined;
}

/**
 * True once the protocol's transport was told to close (Twisted's `transport.disconnecting`):
 * receivers deliver no further message after that.
 * @internal
 */
export function transportDisconnecting(p: Protocol): boolean {
  const t = p.transport as { disconnecting?: unknown } | undefined;
  return t !== undefined && t !== null && t.disconnecting === true;
}
