// The messages between a pool and its workers. One job at a time per worker: the pool posts a
// JobRequest, the worker answers with exactly one JobReply carrying the same id.
import type { RemoteErrorDetails } from './errors';

export interface JobRequest {
  readonly id: number;
  /** A `file:` or `data:` URL, as normalised by the pool. */
  readonly url: string;
  readonly name: string;
  readonly args: readonly unknown[];
}

export type JobReply =
  | { readonly id: number; readonly outcome: 'value'; readonly value: unknown }
  | { readonly id: number; readonly outcome: 'threw'; readonly error: RemoteErrorDetails }
  | { readonly id: number; readonly outcome: 'module-not-found' }
  | { readonly id: number; readonly outcome: 'not-a-function'; readonly received: string };
