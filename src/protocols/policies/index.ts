// Twisted's twisted.protocols.policies: wrappers that limit, throttle and time out connections.
export { ProtocolWrapper, WrappingFactory } from './wrapper';
export { LimitConnectionsByPeer } from './limit';
export type { LimitConnectionsByPeerOptions } from './limit';
export { ThrottlingFactory, ThrottlingProtocol } from './throttling';
export type { ThrottlingFactoryOptions } from './throttling';
export { TimeoutMixin, TimeoutProtocol, TimeoutFactory } from './timeout';
export type { ProtocolClassLike, TimeoutFactoryOptions, TimeoutProtocolMethods } from './timeout';
export { KeyedAdmission, AdmissionTicket } from './admission';
export type { KeyedAdmissionOptions, AdmissionStats, AdmissionKeyStats } from './admission';
export { AdmissionRefusedError } from './errors';
