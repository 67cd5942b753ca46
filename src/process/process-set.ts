/**
 * The processes a reactor is watching, so that closing the reactor leaves no descriptor behind.
 * Internal to the package.
 */
import type { ProcessTransport } from './process-transport';

export class ProcessSet {
  private readonly live = new Set<ProcessTransport>();

  add(process: ProcessTransport): void {
    this.live.add(process);
  }

  delete(process: ProcessTransport): void {
    this.live.delete(process);
  }

  get size(): number {
    return this.live.size;
  }

  /**
   * Closes every process's pipes and exit watcher without telling its protocol; a child that has
   * exited is reaped, one still running is left running (as Twisted leaves it), unwatched.
   */
  releaseAll(): void {
    for (const process of [...this.live]) process.release();
    this.live.clear();
  }
}
