// The public export list. Everything a user may import is named here, explicitly.
export { IoReactorError, InvalidArgTypeError, InvalidArgValueError } from './errors';
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
export {
  AlreadyCalledError,
  CancelledError,
  TimeoutError,
  FirstError,
  FailureGroup,
  QueueOverflow,
  QueueUnderflow,
  NotAcquiredError,
  UnhandledDeferredError,
} from './defer/errors';
// task
export { Clock, LoopingCall, deferLater, Cooperator, CooperativeTask, coiterate, cooperate, getDefaultCooperator } from './task';
export type { CancellableCall, CooperatorOptions, CooperatorScheduler, TerminationPredicateFactory } from './task';
export {
  AlreadyCalled,
  AlreadyCancelled,
  SchedulerError,
  SchedulerStopped,
  TaskFinished,
  TaskDone,
  TaskStopped,
  TaskFailed,
  NotPaused,
  LoopingCallAlreadyRunning,
  LoopingCallNotRunning,
} from './task/errors';
// worker pools
export { WorkerPool, deferToWorker, getDefaultWorkerPool, transfer } from './workers';
export type { WorkerPoolOptions, RunOptions, WorkerPoolStats, TransferredResult } from './workers';
export { RemoteError, WorkerModuleNotFound, WorkerExportNotFunction, WorkerExited, PoolQueueFull, PoolClosed } from './workers/errors';
export type { RemoteErrorDetails } from './workers/errors';
// reactor
export { Reactor } from './reactor/reactor';
export { serve } from './workers/serve';
export type { ServeBalance, ServeHandle, ServeMode, ServeOptions, ServeWorker, ServeStopOptions } from './workers/serve';
export type { WorkerContext } from './workers/serve-worker-main';
export { WorkerCrashed, WorkerRestartsExhausted, WorkerSetupFailed } from './workers/errors';
export type { ReactorStats } from './reactor/stats';
export { ConnectionStream, DuplexProtocol } from './transport/duplex-protocol';
export { NodeStreamTransport } from './transport/node-stream-transport';
export { connectStreamToProtocol } from './tls/start-tls';
export type { StreamTransportOptions } from './transport/node-stream-transport';
export { reactor } from './reactor/default-reactor';
export { DelayedCall } from './reactor/delayed-call';
export { availableBackends, backendSupports } from './reactor/options';
export type { Backend, ReactorOptions } from './reactor/options';
export type { Phase, SystemEventTriggerID } from './reactor/system-events';
export type { DescriptorOptions, IFileDescriptor, IReadDescriptor, IWriteDescriptor, Trigger } from './reactor/descriptor';
export { closeDescriptor, openPipe, openSocketPair } from './reactor/descriptor-pairs';
export { ReactorAlreadyRunning, ReactorClosed, ReactorNotRestartable, ReactorNotRunning } from './reactor/errors';
export { ReactorSystemError } from './errors';
export { ConnectionDone, ConnectionLost } from './transport/errors';
// streams
export { Protocol } from './protocol/protocol';
export { Factory } from './protocol/factory';
export type { ProtocolClass } from './protocol/factory';
export { ClientFactory } from './protocol/client-factory';
export { IPv4Address, IPv6Address, UNIXAddress } from './transport/address';
export type { Address } from './transport/address';
export { StreamTransport, DEFAULT_HIGH_WATER_MARK } from './transport/stream-transport';
export { Port } from './transport/port';
export type { TCPPort, UNIXPort } from './transport/port';
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
  ITLSTransport,
  ITransport,
  IUNIXTransport,
  IFileDescriptorReceiver,
} from './interfaces/transport';
export {
  ConnectError,
  ConnectionRefusedError,
  ConnectTimeoutError,
  DNSLookupError,
  UserAbortedConnect,
  ConnectionAborted,
  FileDescriptorsNotSupported,
} from './transport/errors';
// TLS (listenSSL, connectSSL, startTLS)
export { TLSTransport } from './tls/tls-transport';
export { DEFAULT_HANDSHAKE_TIMEOUT_MS } from './tls/options';
export type { TLSOptions } from './tls/options';
export type { ListenSSLOptions } from './tls/ssl-endpoints';
export { TLSHandshakeError, TLSVerificationError, TLSHandshakeTimeout } from './tls/errors';
// datagrams (UDP, UNIX datagrams)
export { DatagramProtocol } from './datagram/protocol';
export type { DatagramTruncationHandler } from './datagram/protocol';
export { DatagramPort } from './datagram/datagram-port';
export type { DatagramTransport, DatagramDestination } from './datagram/datagram-port';
export { DEFAULT_MAX_PACKET_SIZE } from './datagram/datagram-endpoints';
export type { ListenUDPOptions, ListenUNIXDatagramOptions, ConnectUNIXDatagramOptions } from './datagram/datagram-endpoints';
export { DatagramTooLargeError, DatagramTruncatedError, DatagramPortClosedError } from './datagram/errors';
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
export {
  AmpError,
  RemoteAmpError,
  UnknownRemoteError,
  UnhandledCommand,
  MalformedAmpBox,
  MalformedAmpValue,
  NoEmptyBoxes,
  TooLong,
  InvalidSignature,
  BadLocalReturn,
} from './protocols/amp/errors';
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
export { NetstringParseError, StringTooLongError } from './protocols/basic/errors';
export type { NetstringParseReason } from './protocols/basic/errors';
export { NotImplementedError } from './errors';
export {
  ProtocolWrapper,
  WrappingFactory,
  LimitConnectionsByPeer,
  ThrottlingFactory,
  ThrottlingProtocol,
  TimeoutMixin,
  TimeoutProtocol,
  TimeoutFactory,
  KeyedAdmission,
  AdmissionTicket,
} from './protocols';
export type { LimitConnectionsByPeerOptions, ProtocolClassLike, ThrottlingFactoryOptions, TimeoutFactoryOptions, TimeoutProtocolMethods } from './protocols';
export type { KeyedAdmissionOptions, AdmissionStats, AdmissionKeyStats } from './protocols';
export { AdmissionRefusedError } from './protocols/policies/errors';
// child processes
export { ProcessProtocol } from './process/process-protocol';
export { ProcessTransport } from './process/process-transport';
export type { SignalName } from './process/process-transport';
export type { ChildFD, SpawnProcessOptions } from './process/spawn-process';
export type { ExitStatus } from './process/exit-watcher';
export { ProcessDone, ProcessExitedAlready, ProcessTerminated } from './process/errors';
// endpoints and name resolution
export { serverFromString, clientFromString, registerServerEndpointType, registerClientEndpointType } from './endpoints/registry';
export type { EndpointParser } from './endpoints/registry';
export { parseDescription, quoteStringArgument } from './endpoints/parser';
export type { ParsedDescription } from './endpoints/parser';
export { EndpointArguments } from './endpoints/arguments';
export { TCP4ServerEndpoint, TCP6ServerEndpoint, UNIXServerEndpoint } from './endpoints/server-endpoints';
export { TCP4ClientEndpoint, HostnameEndpoint, UNIXClientEndpoint } from './endpoints/client-endpoints';
export { SSL4ServerEndpoint, SSL4ClientEndpoint } from './endpoints/ssl-types';
export type { SSLEndpointReactor } from './endpoints/ssl-types';
export { UDPServerEndpoint, UDPClientEndpoint } from './endpoints/udp-types';
export type { UDPEndpointReactor } from './endpoints/udp-types';
export { connectProtocol } from './endpoints/connect-protocol';
export type { EndpointReactor, IStreamClientEndpoint, IStreamServerEndpoint } from './endpoints/interfaces';
export { EndpointStringError, DuplicateEndpointTypeError, ConnectingCancelledError, NoProtocolError } from './endpoints/errors';
export type { EndpointStringErrorCode } from './endpoints/errors';
export { GAIResolver, HostResolution } from './resolver/gai-resolver';
export { resolve } from './resolver/resolve';
export type { ResolverSource } from './resolver/resolve';
export type { AddressType, IHostnameResolver, IHostResolution, IResolutionReceiver, ResolvedAddress, TransportSemantics } from './resolver/interfaces';
