// The public export list. Everything a user may import is named here, explicitly.
export { IoReactorError } from './errors/ioreactor-error';
export { InvalidArgTypeError, InvalidArgValueError } from './errors/invalid-argument';
export type { IReactorTime, IDelayedCall } from './interfaces/time';
export type { Logger } from './log/logger';
export { consoleLogger } from './log/logger';
// Deferreds
export {
  Deferred,
  Failure,
  succeed,
  fail,
  execute,
  maybeDeferred,
  DeferredList,
  gatherResults,
  race,
  ConcurrencyPrimitive,
  DeferredLock,
  DeferredSemaphore,
  DeferredQueue,
  inlineCallbacks,
  ensureDeferred,
  setDebugging,
  getDebugging,
  setDeferredLogger,
  getDeferredLogger,
  trackUnhandledDeferredErrors,
  forceGarbageCollection,
} from './defer';
export type {
  Settled,
  ErrorType,
  ErrorTypeSpec,
  DeferredListConstructor,
  DeferredListEntry,
  DeferredListOptions,
  DeferredLike,
  GatherOptions,
  InlineGenerator,
  UnhandledErrorReport,
  UnhandledErrorTracker,
} from './defer';
export { AlreadyCalledError } from './errors/already-called-error';
export { CancelledError } from './errors/cancelled-error';
export { TimeoutError } from './errors/timeout-error';
export { FirstError } from './errors/first-error';
export { FailureGroup } from './errors/failure-group';
export { QueueOverflow } from './errors/queue-overflow';
export { QueueUnderflow } from './errors/queue-underflow';
export { NotAcquiredError } from './errors/not-acquired-error';
export { UnhandledDeferredError } from './errors/unhandled-deferred-error';
// task
export { Clock, LoopingCall, deferLater, Cooperator, CooperativeTask, coiterate, cooperate, getDefaultCooperator } from './task';
export type { CancellableCall, CooperatorOptions, CooperatorScheduler, TerminationPredicateFactory } from './task';
export { AlreadyCalled } from './errors/already-called';
export { AlreadyCancelled } from './errors/already-cancelled';
export { SchedulerError } from './errors/scheduler-error';
export { SchedulerStopped } from './errors/scheduler-stopped';
export { TaskFinished } from './errors/task-finished';
export { TaskDone } from './errors/task-done';
export { TaskStopped } from './errors/task-stopped';
export { TaskFailed } from './errors/task-failed';
export { NotPaused } from './errors/not-paused';
export { LoopingCallAlreadyRunning } from './errors/looping-call-already-running';
export { LoopingCallNotRunning } from './errors/looping-call-not-running';
// reactor
export { Reactor } from './reactor/reactor';
export type { ReactorStats } from './reactor/stats';
export { reactor } from './reactor/default-reactor';
export { DelayedCall } from './reactor/delayed-call';
export { availableBackends, backendSupports } from './reactor/options';
export type { Backend, ReactorOptions } from './reactor/options';
export type { Phase, SystemEventTriggerID } from './reactor/system-events';
export type { DescriptorOptions, IFileDescriptor, IReadDescriptor, IWriteDescriptor, Trigger } from './reactor/descriptor';
export { closeDescriptor, openPipe, openSocketPair } from './reactor/descriptor-pairs';
export { ReactorAlreadyRunning, ReactorClosed, ReactorNotRestartable, ReactorNotRunning } from './errors/reactor-state';
export { ReactorSystemError } from './errors/system-error';
export { ConnectionDone } from './errors/connection-done';
export { ConnectionLost } from './errors/connection-lost';
// streams
export { Protocol } from './protocol/protocol';
export { Factory } from './protocol/factory';
export type { ProtocolClass } from './protocol/factory';
export { ClientFactory } from './protocol/client-factory';
export { IPv4Address, IPv6Address, UNIXAddress } from './transport/address';
export type { Address } from './transport/address';
export { StreamTransport, DEFAULT_HIGH_WATER_MARK } from './transport/stream-transport';
export { Port } from './transport/port';
export { Connector } from './transport/connector';
export type { ConnectorState } from './transport/connector';
export type { ConnectTCPOptions, ConnectUNIXOptions, ListenTCPOptions, ListenUNIXOptions, StreamFamily } from './reactor/stream-endpoints';
export type {
  Bytes,
  IConnector,
  IConsumer,
  IHalfCloseableProtocol,
  IHalfCloseableTransport,
  IListeningPort,
  IProducer,
  IPullProducer,
  IPushProducer,
  IStreamTransport,
  ITCPTransport,
  ITransport,
} from './interfaces/transport';
export { ConnectError } from './errors/connect-error';
export { ConnectionRefusedError } from './errors/connection-refused-error';
export { ConnectTimeoutError } from './errors/connect-timeout-error';
export { DNSLookupError } from './errors/dns-lookup-error';
export { UserAbortedConnect } from './errors/user-aborted-connect';
export { ConnectionAborted } from './errors/connection-aborted';
// protocol helpers
export { ReconnectingClientFactory } from './protocol/reconnecting-client-factory';
export type { ReconnectingClientFactoryOptions, RandomSource } from './protocol/reconnecting-client-factory';
export { ClientCreator } from './protocol/client-creator';
export type { ConnectingReactor } from './protocol/client-creator';
// protocols: AMP
export {
  AMP,
  Command,
  Argument,
  Integer,
  BigInteger,
  AmpString,
  Float,
  AmpBoolean,
  Unicode,
  Decimal,
  ListOf,
  AmpList,
  DateTime,
  AmpDateTime,
  BoxParser,
  makeBox,
  parseBoxes,
  serializeBox,
  serializeBoxes,
  MAX_KEY_LENGTH,
  MAX_VALUE_LENGTH,
  DEFAULT_MAX_BOX_BYTES,
  RESERVED_KEYS,
} from './protocols/amp';
export type {
  AMPOptions,
  BoxResponder,
  AmpBox,
  AmpDateTimeFields,
  AnyArgument,
  AnyCommand,
  ArgumentOptions,
  ArgumentsOf,
  CallResult,
  CommandSpec,
  ErrorClass,
  ReceivedArgumentsOf,
  Responder,
  ResponderResult,
  ResponseOf,
  Schema,
  ValuesIn,
  ValuesOut,
} from './protocols/amp';
export { AmpError } from './errors/amp-error';
export { RemoteAmpError } from './errors/remote-amp-error';
export { UnknownRemoteError } from './errors/unknown-remote-error';
export { UnhandledCommand } from './errors/unhandled-command';
export { MalformedAmpBox } from './errors/malformed-amp-box';
export { MalformedAmpValue } from './errors/malformed-amp-value';
export { NoEmptyBoxes } from './errors/no-empty-boxes';
export { TooLong } from './errors/too-long';
export { InvalidSignature } from './errors/invalid-signature';
export { BadLocalReturn } from './errors/bad-local-return';
// protocols: basic and policies
export {
  LineReceiver,
  LineOnlyReceiver,
  NetstringReceiver,
  IntNStringReceiver,
  Int8StringReceiver,
  Int16StringReceiver,
  Int32StringReceiver,
  StatefulStringProtocol,
  PausableReceiver,
} from './protocols';
export type { StatefulStringReceiver, StringReceiverClass } from './protocols';
export { NetstringParseError } from './errors/netstring-parse-error';
export type { NetstringParseReason } from './errors/netstring-parse-error';
export { StringTooLongError } from './errors/string-too-long-error';
export { NotImplementedError } from './errors/not-implemented-error';
export {
  ProtocolWrapper,
  WrappingFactory,
  LimitConnectionsByPeer,
  ThrottlingFactory,
  ThrottlingProtocol,
  TimeoutMixin,
  TimeoutProtocol,
  TimeoutFactory,
} from './protocols';
export type { LimitConnectionsByPeerOptions, ThrottlingFactoryOptions, TimeoutFactoryOptions, TimeoutProtocolMethods } from './protocols';
