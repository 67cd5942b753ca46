import { brandError, defineBrand } from './brand';
import { AmpError } from './amp-error';

/**
 * One of AMP's length limits was broken (Twisted's `TooLong`): a key over 255 bytes or a value
 * over 65 535 bytes that we tried to send (`isLocal`), a key length prefix over 255 from the
 * peer, or (ioreactor's own limit) a box from the peer larger than the protocol's `maxBoxBytes`.
 * Received from the peer, it closes the connection and fails outstanding calls.
 *
 * Code: `ERR_IOREACTOR_AMP_TOO_LONG`.
 */
export class TooLong extends AmpError {
  /** What was too long. Twisted has `isKey` only; `'box'` is ioreactor's per-box limit. */
  readonly kind: 'key' | 'value' | 'box';
  /** True when the string was being encoded here, false when it came from the peer. */
  readonly isLocal: boolean;
  /** The offending length (for a box: the bytes accumulated when the limit was crossed). */
  readonly length: number;
  /** For a value, the key it was encoded for. */
  readonly keyName: string | undefined;

  constructor(kind: 'key' | 'value' | 'box', isLocal: boolean, length: number, keyName?: string) {
    const where = kind === 'value' && keyName !== undefined ? `value ${JSON.stringify(keyName)}` : kind;
    super(`${isLocal ? 'local' : 'remote'} ${where} too long: ${length}`, { code: 'ERR_IOREACTOR_AMP_TOO_LONG' });
    this.kind = kind;
    this.isLocal = isLocal;
    this.length = length;
    this.keyName = keyName;
    brandError(this, 'TooLong');
  }

  /** Twisted's flag: true when a key was too long. */
  get isKey(): boolean {
    return this.kind === 'key';
  }
}
defineBrand(TooLong, 'TooLong');
