// The policies' errors, as Twisted keeps its policy helpers' errors beside them in
// twisted.protocols.policies.
import { defineBrand, IoReactorError } from '../../errors';

/**
 * KeyedAdmission refused a request: its key already had `maxWaitingPerKey` requests waiting and
 * no slot was free for it. Nothing was queued; the caller may answer "busy" and let the client
 * retry. Being an outcome of load rather than a programming error, it arrives as the failure of
 * the Deferred `admit`/`run` returned, never as a throw.
 *
 * Code: `ERR_IOREACTOR_ADMISSION_REFUSED`.
 */
export class AdmissionRefusedError extends IoReactorError {
  /** The key whose wait queue was full. */
  readonly key: unknown;
  /** The bound that was reached (KeyedAdmission's `maxWaitingPerKey`). */
  readonly maxWaitingPerKey: number;

  constructor(key: unknown, maxWaitingPerKey: number, message?: string, options?: { cause?: unknown }) {
    super('ERR_IOREACTOR_ADMISSION_REFUSED', message ?? `admission refused: ${maxWaitingPerKey} requests already waiting for this key`, options);
    this.key = key;
    this.maxWaitingPerKey = maxWaitingPerKey;
  }
}
defineBrand(AdmissionRefusedError, 'AdmissionRefusedError');
