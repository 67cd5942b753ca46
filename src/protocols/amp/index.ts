// AMP, the Asynchronous Messaging Protocol, wire-compatible with Twisted's
// twisted.protocols.amp. The explicit export list of src/protocols/amp.
export { AMP } from './amp';
export type { AMPOptions, BoxResponder } from './amp';
export { Command, RESERVED_KEYS } from './command';
export type { AnyCommand, ArgumentsOf, CallResult, CommandSpec, ErrorClass, ReceivedArgumentsOf, Responder, ResponderResult, ResponseOf } from './command';
export { Argument } from './argument';
export type { AnyArgument, ArgumentOptions, Schema, ValuesIn, ValuesOut } from './argument';
export { Integer, BigInteger, AmpString, Float, AmpBoolean, Unicode, Decimal } from './scalars';
export { ListOf, AmpList } from './compound';
export { DateTime, AmpDateTime } from './datetime';
export type { AmpDateTimeFields } from './datetime';
export { BoxParser, makeBox, parseBoxes, serializeBox, serializeBoxes, MAX_KEY_LENGTH, MAX_VALUE_LENGTH, DEFAULT_MAX_BOX_BYTES } from './box';
export type { AmpBox } from './box';
