// Twisted's twisted.protocols.basic: line, netstring and length-prefixed string receivers.
export { LineReceiver } from './line-receiver';
export { LineOnlyReceiver } from './line-only-receiver';
export { NetstringReceiver } from './netstring-receiver';
export { IntNStringReceiver, Int8StringReceiver, Int16StringReceiver, Int32StringReceiver } from './int-string-receiver';
export { StatefulStringProtocol } from './stateful';
export type { StatefulStringReceiver, StringReceiverClass } from './stateful';
export { PausableReceiver } from './pausable';
