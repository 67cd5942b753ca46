import { brandError, defineBrand } from './brand';
import { IoReactorError } from './ioreactor-error';

/**
 * `DeferredQueue.put` was called on a queue already holding `size` objects with nobody waiting
 * (Twisted's `defer.QueueOverflow`).
 *
 * Code: `ERR_IOREACTOR_QUEUE_OVERFLOW`.
 */
export class QueueOverflow extends IoReactorError {
  constructor(message = 'the queue is full', options?: { cause?: unknown }) {
    super('ERR_IOREACTOR_QUEUE_OVERFLOW', message, options);
    brandError(this, 'QueueOverflow');
  }

  override get name(): string {
    return 'QueueOverflow';
  }
}
defineBrand(QueueOverflow, 'QueueOverflow');
