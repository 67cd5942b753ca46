/**
 * What ioreactor tells tools that watch it, at no cost when nobody does:
 * - `NODE_DEBUG=ioreactor` traces registrations, batches and closes on stderr
 *   (util.debuglog: each line prefixed `IOREACTOR <pid>:`);
 * - `node:diagnostics_channel` channels for connection open and close, for APM tools:
 *   `ioreactor:connection:open` publishes `{ transport, protocol }` once `connectionMade` has
 *   run, `ioreactor:connection:close` publishes `{ transport, protocol, reason }` once
 *   `connectionLost` has.
 */
import { channel } from 'node:diagnostics_channel';
import { debuglog } from 'node:util';

/** Writes a trace line when NODE_DEBUG names ioreactor; check `trace.enabled` before building costly arguments. */
export const trace = debuglog('ioreactor');

export const connectionOpenChannel = channel('ioreactor:connection:open');
export const connectionCloseChannel = channel('ioreactor:connection:close');
