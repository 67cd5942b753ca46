// The public export list. Everything a user may import is named here, explicitly.
export { IoReactorError } from './errors/ioreactor-error';
export { InvalidArgTypeError, InvalidArgValueError } from './errors/invalid-argument';
export type { IReactorTime, IDelayedCall } from './interfaces/time';
export type { Logger } from './log/logger';
export { consoleLogger } from './log/logger';
