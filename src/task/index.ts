/**
 * The task module (Twisted's `twisted.internet.task`): a deterministic Clock for tests,
 * LoopingCall, deferLater and the Cooperator.
 */
export { Clock } from './clock';
export { LoopingCall } from './looping-call';
export { deferLater } from './defer-later';
export { Cooperator, CooperativeTask, coiterate, cooperate, getDefaultCooperator } from './cooperator';
export type { CancellableCall, CooperatorOptions, CooperatorScheduler, TerminationPredicateFactory } from './cooperator';
