import { brandError, defineBrand } from './brand';
import { AmpError } from './amp-error';

/**
 * A box arrived with none of `_ask`/`_command`, `_answer` or `_error` (an empty box, say), as
 * Twisted's `NoEmptyBoxes`. The connection is closed; outstanding calls fail with this error.
 *
 * Code: `ERR_IOREACTOR_AMP_NO_EMPTY_BOXES`.
 */
export class NoEmptyBoxes extends AmpError {
  constructor(message = 'AMP box with no _command, _answer or _error key') {
    super(message, { code: 'ERR_IOREACTOR_AMP_NO_EMPTY_BOXES' });
    brandError(this, 'NoEmptyBoxes');
  }
}
defineBrand(NoEmptyBoxes, 'NoEmptyBoxes');
