import { brandError, defineBrand } from './brand';
import { IoReactorError } from './ioreactor-error';

/**
 * `DeferredQueue.get` was called on an empty queue that already has `backlog` pending gets
 * (Twisted's `defer.QueueUnderflow`).
 *
 * Code: `ERR_IOREACTOR_QUEUE_UNDERFLOW`.
 */
export class QueueUnderflow extends IoReactorError {
  constructor(message = 'too many pending gets on the queue', options?: { cause?: unknown }) {
    super('ERR_IOREACTOR_QUEUE_UNDERFLOW', message, options);
    brandError(this, 'QueueUnderflow');
  }

  override get name(): string {
    return 'QueueUnderflow';
  }
}
defineBrand(QueueUnderflow, 'QueueUnderflow');
