import { brandError, defineBrand } from './brand';

/** An argument has the wrong type (a string where a function was expected, say). */
export class InvalidArgTypeError extends TypeError {
  readonly code: string;

  constructor(message: string, code = 'ERR_IOREACTOR_INVALID_ARG_TYPE') {
    super(message);
    this.code = code;
    brandError(this, 'InvalidArgTypeError');
  }

  override get name(): string {
    return 'InvalidArgTypeError';
  }
}
defineBrand(InvalidArgTypeError, 'InvalidArgTypeError');

/** An argument has the right type but an unacceptable value (a negative delay, say). */
export class InvalidArgValueError extends RangeError {
  readonly code: string;

  constructor(message: string, code = 'ERR_IOREACTOR_INVALID_ARG_VALUE') {
    super(message);
    this.code = code;
    brandError(this, 'InvalidArgValueError');
  }

  override get name(): string {
    return 'InvalidArgValueError';
  }
}
defineBrand(InvalidArgValueError, 'InvalidArgValueError');
