/**
 * The frames of a serve() worker process's channel (two pipes, one each way): a 4-byte
 * big-endian length, then `v8.serialize(message)`, the structured clone Node's 'advanced' IPC
 * serialization uses. The same on both sides: serve()'s reactor and the child's plain Node.
 * Internal to the package.
 */
import { deserialize, serialize } from 'node:v8';

const HEADER = 4;

/** One message as a frame. */
export function encodeFrame(message: unknown): Buffer {
  const body = serialize(message);
  const frame = Buffer.allocUnsafe(HEADER + body.length);
  frame.writeUInt32BE(body.length, 0);
  body.copy(frame, HEADER);
  return frame;
}

/** Reassembles frames from chunks as a pipe delivers them. */
export class FrameDecoder {
  private pending: Buffer = Buffer.alloc(0);

  /** The messages completed by `chunk`, in order. */
  push(chunk: Buffer): unknown[] {
    this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    const messages: unknown[] = [];
    let at = 0;
    while (this.pending.length - at >= HEADER) {
      const length = this.pending.readUInt32BE(at);
      if (this.pending.length - at - HEADER < length) break;
      messages.push(deserialize(this.pending.subarray(at + HEADER, at + HEADER + length)));
      at += HEADER + length;
    }
    this.pending = at === this.pending.length ? Buffer.alloc(0) : this.pending.subarray(at);
    return messages;
  }
}
