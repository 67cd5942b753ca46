import { brandError, defineBrand } from './brand';
import { AmpError } from './amp-error';

/**
 * The peer has no responder for the command we called (it answered with the `UNHANDLED` error
 * code), as Twisted's `UnhandledCommand`.
 *
 * Code: `ERR_IOREACTOR_AMP_UNHANDLED_COMMAND`.
 */
export class UnhandledCommand extends AmpError {
  /** `'UNHANDLED'`. */
  readonly errorCode: string;
  /** The peer's description, such as `Unhandled Command: b'Sum'`. */
  readonly description: string;

  constructor(errorCode = 'UNHANDLED', description = 'Unhandled Command') {
    super(`Code<${errorCode}>: ${description}`, { code: 'ERR_IOREACTOR_AMP_UNHANDLED_COMMAND' });
    this.errorCode = errorCode;
    this.description = description;
    brandError(this, 'UnhandledCommand');
  }
}
defineBrand(UnhandledCommand, 'UnhandledCommand');
