import { InvalidArgTypeError } from '../../errors';
import { describe } from '../../util/validate';
import { consoleLogger, type Logger } from '../../log/logger';
import type { Protocol } from '../../protocol/protocol';

/** A class of string receivers (NetstringReceiver, Int32StringReceiver, ...) to mix into. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type StringReceiverClass = abstract new (...args: any[]) => Protocol & { stringReceived(string: Buffer): unknown };

/** What {@link StatefulStringProtocol} adds to a string receiver. */
export interface StatefulStringReceiver {
  /** The current state: the next string goes to `proto_<state>`. Starts as `'init'`. */
  state: string;
  /** Where a missing `proto_<state>` handler is reported. */
  logger: Logger;
  stringReceived(string: Buffer): unknown;
}

/**
 * A stateful string protocol: Twisted's `twisted.protocols.basic.StatefulStringProtocol`, as a
 * mixin over a string receiver class. Each string received goes to the method
 * `proto_<state>`, starting with `proto_init`; what that method returns becomes the next state.
 * The state `'done'` closes the connection. A state without a handler is reported through
 * `logger` (default: console) and the string is dropped, as Twisted logs it.
 *
 * @example
 * ```ts
 * class Login extends StatefulStringProtocol(Int32StringReceiver) {
 *   proto_init(name: Buffer) { this.name = name.toString(); return 'password'; }
 *   proto_password(pw: Buffer) { return check(this.name, pw) ? 'ready' : 'done'; }
 * }
 * ```
 */
export function StatefulStringProtocol<TBase extends StringReceiverClass>(Base: TBase) {
  if (typeof Base !== 'function' || typeof (Base.prototype as { stringReceived?: unknown } | undefined)?.stringReceived !== 'function') {
    throw new InvalidArgTypeError(`StatefulStringProtocol needs a string receiver class (with stringReceived), received ${describe(Base)}`);
  }
  abstract class Stateful extends Base implements StatefulStringReceiver {
    state = 'init';
    logger: Logger = consoleLogger;

    override stringReceived(string: Buffer): unknown {
      const handler = (this as unknown as Record<string, unknown>)[`proto_${this.state}`];
      if (typeof handler !== 'function') {
        this.logger.error(`${this.constructor.name}: callback ${this.state} not found`);
        return undefined;
      }
      const next: unknown = handler.call(this, string);
      this.state = String(next);
      if (this.state === 'done') this.transport.loseConnection();
      return undefined;
    }
  }
  return Stateful;
}
