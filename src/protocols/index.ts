// The protocol library: the explicit export list of src/protocols.
// Twisted's twisted.protocols.basic
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
} from './basic';
export type { StatefulStringReceiver, StringReceiverClass } from './basic';
// Twisted's twisted.protocols.policies
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
} from './policies';
export type { LimitConnectionsByPeerOptions, ProtocolClassLike, ThrottlingFactoryOptions, TimeoutFactoryOptions, TimeoutProtocolMethods } from './policies';
export type { KeyedAdmissionOptions, AdmissionStats, AdmissionKeyStats } from './policies';
export * from './amp'; // Twisted's twisted.protocols.amp: its explicit export list is amp/index.ts
