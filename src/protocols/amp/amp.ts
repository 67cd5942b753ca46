/**
 * The AMP protocol (Twisted's `twisted.protocols.amp.AMP`): a box parser, a dispatcher that
 * pairs `_ask`/`_answer`/`_error` boxes with calls, and responder lookup, in one Protocol.
 */
import { Deferred } from '../../defer/deferred';
import { Failure } from '../../defer/failure';
import { fail, maybeDeferred } from '../../defer/simple';
import { AmpError, BadLocalReturn, MalformedAmpBox, NoEmptyBoxes, RemoteAmpError, UnhandledCommand, UnknownRemoteError } from './errors';
import { ConnectionLost } from '../../transport/errors';
import { InvalidArgTypeError, InvalidArgValueError } from '../../errors';
import { describe } from '../../util/validate';
import { consoleLogger, type Logger } from '../../log/logger';
import { Protocol } from '../../protocol/protocol';
import { assertKey, BoxParser, DEFAULT_MAX_BOX_BYTES, serializeBox, type AmpBox } from './box';
import { Command, type AnyCommand, type ArgumentsOf, type CallResult, type Responder } from './command';
import { pythonBytesRepr } from './python-format';
import { findClassResponder, type ResponderEntry } from './responders';

/** Options of {@link AMP}'s constructor. */
export interface AMPOptions {
  /**
   * The largest box accepted from the peer, counting each key/value pair's wire size plus 64
   * bytes of bookkeeping; a larger one closes the connection with TooLong. Default 4 MiB.
   */
  maxBoxBytes?: number;
  /** Where responder failures and dropped connections are reported. Default: console. */
  logger?: Logger;
}

/** A box that closes the connection once sent (Twisted's `QuitBox`). */
class QuitBox extends Map<string, Buffer> {}

/** A raw responder: takes the received box, returns the answer box (or a Deferred/promise of it). */
export type BoxResponder = (box: AmpBox) => AmpBox | PromiseLike<AmpBox>;

const decoder = new TextDecoder('utf-8'); // not fatal: Twisted decodes descriptions with 'replace'

/**
 * An AMP connection. Calls go out with {@link AMP.callRemote}; calls coming in are answered by
 * responders registered with `Command.responder(MyAMP, fn)` (for a class) or
 * {@link AMP.respond} (for one connection). Use it as the protocol of a Factory or
 * ClientFactory; both ends are symmetric.
 *
 * The peer breaking the wire format (a key over 255 bytes, a box over `maxBoxBytes`, a box with
 * no `_command`/`_answer`/`_error`, an answer to no call) closes the connection: nothing is
 * thrown into the reactor, the error is kept in {@link AMP.protocolError}, and outstanding
 * calls fail with it (other disconnections fail them with the transport's reason:
 * ConnectionDone or ConnectionLost). `connectionLost` receives the transport's reason, as in
 * Twisted; override {@link AMP.stopReceivingBoxes} to hear the AMP-level reason. Subclasses
 * overriding `dataReceived` or `connectionLost` must call `super`.
 */
export class AMP extends Protocol {
  /** Where responder failures and dropped connections are reported. */
  logger: Logger;
  /** The error with which the peer broke the protocol, once it has. */
  protocolError: Error | undefined;
  private readonly parser: BoxParser;
  private outstanding = new Map<string, Deferred<AmpBox>>();
  private counter = 0;
  private failReason: Failure | undefined;
  private readonly own = new Map<string, ResponderEntry>();

  constructor(options: AMPOptions = {}) {
    super();
    if (options === null || typeof options !== 'object') throw new InvalidArgTypeError(`AMP options must be an object, received ${describe(options)}`);
    const max = options.maxBoxBytes ?? DEFAULT_MAX_BOX_BYTES;
    if (typeof max !== 'number' || !(max > 0)) throw new InvalidArgValueError(`maxBoxBytes must be a number > 0, received ${describe(max)}`);
    this.logger = options.logger ?? consoleLogger;
    this.parser = new BoxParser((box) => this.boxParsed(box), max);
  }

  // ---- calls out ---------------------------------------------------------------------------

  /**
   * Calls `command` on the peer with `args` (Twisted's `callRemote`). Returns a Deferred that
   * fires with the decoded response, or fails with one of the command's declared errors,
   * UnhandledCommand (the peer has no responder), UnknownRemoteError (an undeclared error), a
   * MalformedAmpValue (an answer that does not decode), or the reason the connection went away.
   * Arguments that cannot be encoded fail the Deferred (InvalidSignature, TooLong, argument
   * type errors) and nothing is sent.
   *
   * For a command with `requiresAnswer: false` it returns undefined, and bad arguments throw.
   */
  callRemote<C extends AnyCommand>(command: C, args: ArgumentsOf<C>): CallResult<C> {
    if (!(command instanceof Command)) throw new InvalidArgTypeError(`callRemote() needs a Command, received ${describe(command)}`);
    const requiresAnswer = command.requiresAnswer !== false;
    let box: AmpBox;
    try {
      box = command.makeArguments(args);
    } catch (err) {
      if (!requiresAnswer) throw err;
      return fail(err) as CallResult<C>;
    }
    const sent = this.sendCommand(command.commandName, box, requiresAnswer);
    if (sent === undefined) return undefined as CallResult<C>;
    return sent
      .addCallback((answer: AmpBox) => command.parseResponse(answer))
      .addErrback((f: Failure) => {
        // Twisted's _massageError: a remote error becomes the declared class, or UnknownRemoteError.
        const remote = f.value;
        if (!(remote instanceof RemoteAmpError)) return f;
        const cls = command.classFor(remote.errorCode);
        return new Failure(cls !== undefined ? new cls(remote.description) : new UnknownRemoteError(remote.description));
      }) as CallResult<C>;
  }

  /**
   * Sends a raw box as command `name` (Twisted's `callRemoteString`): values are bytes or
   * latin1 strings. The Deferred fires with the raw answer box, or fails with RemoteAmpError /
   * UnhandledCommand. Returns undefined when `requiresAnswer` is false.
   */
  callRemoteString(name: string, box: AmpBox, requiresAnswer = true): Deferred<AmpBox> | undefined {
    assertKey(name, 'command name');
    if (!(box instanceof Map)) throw new InvalidArgTypeError(`callRemoteString() needs an AmpBox (a Map), received ${describe(box)}`);
    return this.sendCommand(name, new Map(box), requiresAnswer);
  }

  private sendCommand(name: string, box: AmpBox, requiresAnswer: boolean): Deferred<AmpBox> | undefined {
    if (this.failReason !== undefined) return requiresAnswer ? fail<AmpBox>(this.failReason) : undefined;
    if (!this.connected) {
      const err = new AmpError(`AMP connection is not connected: cannot call ${name}`);
      if (requiresAnswer) return fail<AmpBox>(err);
      throw err;
    }
    box.set('_command', Buffer.from(name, 'latin1'));
    const tag = (++this.counter).toString(16);
    if (requiresAnswer) box.set('_ask', Buffer.from(tag, 'latin1'));
    let bytes: Buffer;
    try {
      bytes = serializeBox(box);
    } catch (err) {
      if (requiresAnswer) return fail<AmpBox>(err);
      throw err;
    }
    this.transport.write(bytes);
    if (!requiresAnswer) return undefined;
    const d = new Deferred<AmpBox>();
    this.outstanding.set(tag, d);
    return d;
  }

  /**
   * Sends `box` as it is (Twisted's `sendBox`).
   *
   * @throws ConnectionLost when the connection is not up; TooLong for an oversized key or value.
   */
  sendBox(box: AmpBox): void {
    if (!this.connected) throw new ConnectionLost('AMP connection is not connected');
    this.transport.write(serializeBox(box));
  }

  // ---- calls in ------------------------------------------------------------------------------

  /**
   * Registers `fn` as this connection's responder to `command`, ahead of any registered for
   * its class. `fn` runs with `this` set to the protocol. Returns this protocol.
   */
  respond<C extends AnyCommand>(command: C, fn: Responder<C, this>): this {
    if (!(command instanceof Command)) throw new InvalidArgTypeError(`respond() needs a Command, received ${describe(command)}`);
    if (typeof fn !== 'function') throw new InvalidArgTypeError(`respond() needs a function, received ${describe(fn)}`);
    this.own.set(command.commandName, { command, fn: fn as ResponderEntry['fn'] });
    return this;
  }

  /**
   * Finds the responder for command `name`: this connection's own, then its class chain's.
   * Override to dispatch raw boxes yourself (return undefined for "unhandled").
   */
  locateResponder(name: string): BoxResponder | undefined {
    const entry = this.own.get(name) ?? findClassResponder(this.constructor, name);
    if (entry === undefined) return undefined;
    return (box) => this.runResponder(entry, box);
  }

  /** Twisted's `_wrapWithSerialization`: decode, call, encode, and map declared errors. */
  private runResponder({ command, fn }: ResponderEntry, box: AmpBox): Deferred<AmpBox> {
    const args = command.parseArguments(box);
    return maybeDeferred(() => fn.call(this, args))
      .addCallback((values: unknown) => {
        try {
          return command.makeResponse(values as never);
        } catch (err) {
          throw new BadLocalReturn(
            `the responder to ${command.commandName} returned ${describe(values)}, which its response cannot encode: ${String((err as Error)?.message ?? err)}`,
            { cause: err },
          );
        }
      })
      .addErrback((f: Failure) => {
        const declared = command.codeFor(f.value);
        if (declared === undefined) return f;
        return new Failure(new RemoteAmpError(declared.code, f.getErrorMessage(), declared.fatal, f.value));
      });
  }

  /**
   * Handles one received box (Twisted's `ampBoxReceived`).
   *
   * @throws NoEmptyBoxes, MalformedAmpBox: the caller closes the connection with it.
   */
  ampBoxReceived(box: AmpBox): void {
    if (box.has('_answer')) this.answerReceived(box);
    else if (box.has('_error')) this.errorReceived(box);
    else if (box.has('_command')) this.commandReceived(box);
    else throw new NoEmptyBoxes();
  }

  private question(box: AmpBox, key: '_answer' | '_error'): Deferred<AmpBox> {
    const tag = box.get(key)!.toString('latin1');
    const d = this.outstanding.get(tag);
    if (d === undefined) throw new MalformedAmpBox(`${key} box for tag ${JSON.stringify(tag)}, which no call is waiting for`);
    this.outstanding.delete(tag);
    return d;
  }

  private answerReceived(box: AmpBox): void {
    this.question(box, '_answer').callback(box);
  }

  private errorReceived(box: AmpBox): void {
    const code = box.get('_error_code');
    const description = box.get('_error_description');
    if (code === undefined || description === undefined) throw new MalformedAmpBox('_error box without _error_code or _error_description');
    const d = this.question(box, '_error');
    const codeText = code.toString('latin1');
    const text = decoder.decode(description);
    // Twisted's PROTOCOL_ERRORS: only UNHANDLED has a class of its own.
    d.errback(new Failure(codeText === 'UNHANDLED' ? new UnhandledCommand(codeText, text) : new RemoteAmpError(codeText, text)));
  }

  private commandReceived(box: AmpBox): void {
    const name = box.get('_command')!.toString('latin1');
    const ask = box.get('_ask');
    let d: Deferred<unknown>;
    let responder: BoxResponder | undefined;
    try {
      responder = this.locateResponder(name);
    } catch (err) {
      responder = () => {
        throw err;
      };
    }
    if (responder === undefined) {
      d = fail(new RemoteAmpError('UNHANDLED', `Unhandled Command: ${pythonBytesRepr(name)}`, false, new UnhandledCommand()));
    } else {
      d = maybeDeferred(responder, box);
    }
    if (ask !== undefined) {
      d = d
        .addCallbacks(
          (answer) => {
            if (!(answer instanceof Map)) throw new BadLocalReturn(`the responder to ${name} returned ${describe(answer)}, not an AmpBox`);
            answer.set('_answer', ask);
            return answer;
          },
          (f: Failure) => this.formatError(f, ask, name),
        )
        .addCallback((answer: AmpBox) => this.safeEmit(answer));
    }
    // With no _ask there is nobody to tell: a failure drops the connection, as in Twisted.
    d.addErrback((f: Failure) => this.unhandledError(f));
  }

  /** Twisted's `formatError`: declared errors are answered with their code; others with UNKNOWN, closing. */
  private formatError(f: Failure, ask: Buffer, name: string): AmpBox {
    let box: AmpBox;
    let code: string;
    let description: string;
    if (f.value instanceof RemoteAmpError) {
      code = f.value.errorCode;
      description = f.value.description;
      box = f.value.fatal ? new QuitBox() : new Map();
    } else {
      this.logger.error(`Unhandled error in the AMP responder to ${name}:`, f.value);
      code = 'UNKNOWN';
      description = 'Unknown Error';
      box = new QuitBox();
    }
    box.set('_error', ask);
    box.set('_error_code', Buffer.from(code, 'latin1'));
    box.set('_error_description', Buffer.from(description, 'utf8'));
    return box;
  }

  /** Sends an answer unless the connection has gone (then there is nobody to answer). */
  private safeEmit(box: AmpBox): void {
    if (!this.connected) return;
    this.transport.write(serializeBox(box));
    if (box instanceof QuitBox) this.transport.loseConnection();
  }

  /**
   * The end of the line for a failure nobody handled while answering the peer: logs it and
   * drops the connection (Twisted's `unhandledError`).
   */
  unhandledError(failure: Failure): void {
    this.logger.error('AMP server or network failure unhandled by the application; dropping the connection:', failure.value);
    if (this.connected) this.transport.loseConnection();
  }

  // ---- the connection ------------------------------------------------------------------------

  override dataReceived(data: Buffer): void {
    const err = this.parser.feed(data);
    if (err !== undefined && this.protocolError === undefined) this.breakConnection(err);
  }

  private boxParsed(box: AmpBox): void {
    try {
      this.ampBoxReceived(box);
    } catch (err) {
      this.breakConnection(err instanceof Error ? err : new MalformedAmpBox(String(err)));
    }
  }

  /** The peer broke the protocol: stop parsing, keep the error, close after flushing answers. */
  private breakConnection(err: Error): void {
    this.protocolError ??= err;
    this.parser.stop(err);
    if (this.connected) this.transport.loseConnection();
  }

  override connectionLost(reason: Failure): void {
    this.parser.stop(this.protocolError ?? new ConnectionLost('AMP connection closed'));
    this.stopReceivingBoxes(this.protocolError !== undefined ? new Failure(this.protocolError) : reason);
  }

  /**
   * No more boxes will come: fails every outstanding call with `reason` (the protocol error
   * when the peer broke the protocol, else the transport's reason). Calls made later fail with
   * it at once. Override (calling `super`) to hear the AMP-level reason.
   */
  stopReceivingBoxes(reason: Failure): void {
    this.failAllOutgoing(reason);
  }

  /** Fails every outstanding call with `reason`, and every later one (Twisted's `failAllOutgoing`). */
  failAllOutgoing(reason: Failure): void {
    this.failReason = reason;
    const calls = this.outstanding;
    this.outstanding = new Map();
    for (const d of calls.values()) d.errback(new Failure(reason));
  }

  /** Bytes held for a partly received box (bounded by `maxBoxBytes` plus one 65 537-byte element). */
  get bufferedBytes(): number {
    return this.parser.bufferedBytes;
  }

  /** How many calls are waiting for an answer. */
  get outstandingCalls(): number {
    return this.outstanding.size;
  }
}
