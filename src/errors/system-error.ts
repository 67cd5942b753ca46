import * as util from 'node:util';
import { brandError, defineBrand } from './brand';

/**
 * A system call failed: Node's own shape for such errors. `code` is the errno name (`EBADF`,
 * `EMFILE`, ...), `errno` the negative number, `syscall` the call that failed.
 */
export class ReactorSystemError extends Error {
  readonly code: string;
  readonly errno: number;
  readonly syscall: string;

  constructor(negativeErrno: number, syscall: string, detail?: string) {
    const code = util.getSystemErrorName(negativeErrno);
    const text = util.getSystemErrorMap().get(negativeErrno)?.[1] ?? 'unknown error';
    super(`${syscall} failed: ${code} (${text})${detail ? `: ${detail}` : ''}`);
    this.code = code;
    this.errno = negativeErrno;
    this.syscall = syscall;
    brandError(this, 'ReactorSystemError');
  }

  override get name(): string {
    return 'ReactorSystemError';
  }
}
defineBrand(ReactorSystemError, 'ReactorSystemError');
