import { InvalidArgTypeError, InvalidArgValueError } from '../errors';
import { assertOneOf, describe } from '../util/validate';
import { consoleLogger, type Logger } from '../log/logger';
import type { Trigger } from './descriptor';
import { TRIGGERS } from './descriptor-set';
import { binding } from '../binding';

export type Backend = 'epoll' | 'kqueue' | 'poll';
export const BACKENDS: readonly (Backend | 'auto')[] = ['auto', 'epoll', 'kqueue', 'poll'];

export interface ReactorOptions {
  /**
   * The kernel readiness API. `'auto'` (the default) is the platform's own: epoll on Linux,
   * kqueue on macOS and the BSDs. `'poll'` is poll(2), available everywhere, level-triggered
   * only, and costs time in proportion to every registered descriptor.
   */
  backend?: Backend | 'auto';
  /**
   * The default trigger mode for descriptors registered with this reactor (each registration
   * may override it). `'level'` (the default) reports readiness for as long as it lasts;
   * `'edge'` reports transitions only, so readers must drain until EAGAIN; `'oneshot'` reports
   * once and re-arms after each dispatch.
   */
  trigger?: Trigger;
  /** Where unhandled errors from callbacks are reported. Defaults to console.error. */
  logger?: Logger;
}

export interface ResolvedOptions {
  backend: Backend;
  trigger: Trigger;
  logger: Logger;
}

/** Backends this build of ioreactor has on this platform, the platform's own first. */
export function availableBackends(): Backend[] {
  return binding.backends.slice() as Backend[];
}

/** Whether `backend` can run descriptors in `trigger` mode. */
export function backendSupports(backend: Backend, trigger: Trigger): boolean {
  return backend !== 'poll' || trigger === 'level';
}

export function resolveOptions(options: ReactorOptions | undefined): ResolvedOptions {
  if (options === undefined) options = {};
  if (options === null || typeof options !== 'object') {
    throw new InvalidArgTypeError(`Reactor options must be an object, received ${describe(options)}`);
  }
  const requested = options.backend ?? 'auto';
  assertOneOf(requested, BACKENDS, 'options.backend', 'ERR_IOREACTOR_INVALID_BACKEND');
  const backend = requested === 'auto' ? (binding.platformBackend as Backend) : requested;
  if (!binding.backends.includes(backend)) {
    throw new InvalidArgValueError(
      `the '${backend}' backend is not available on this platform (available: ${binding.backends.join(', ')})`,
      'ERR_IOREACTOR_BACKEND_UNAVAILABLE',
    );
  }
  const trigger = options.trigger ?? 'level';
  assertOneOf(trigger, TRIGGERS, 'options.trigger', 'ERR_IOREACTOR_INVALID_TRIGGER');
  if (!backendSupports(backend, trigger)) {
    throw new InvalidArgValueError(`the ${backend} backend supports only level triggering, not '${trigger}'`, 'ERR_IOREACTOR_UNSUPPORTED_TRIGGER');
  }
  const logger = options.logger ?? consoleLogger;
  if (logger === null || typeof logger !== 'object' || typeof logger.error !== 'function') {
    throw new InvalidArgTypeError(`options.logger must have an error() method, received ${describe(logger)}`);
  }
  return { backend, trigger, logger };
}
