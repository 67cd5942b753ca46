/**
 * serve()'s acceptor for `balance: 'acceptor'`, where the kernel does not spread connections
 * over the sockets of a SO_REUSEPORT group (macOS and the BSDs give most of them to one):
 * one listening socket per address the workers asked for, in serve()'s thread; each accepted
 * connection goes to the next worker listening there (round-robin), by descriptor number. The
 * socket is accepted paused (never read here), the worker duplicates the descriptor, and only
 * then is this copy closed, so the number cannot be reused while it is in flight.
 * Internal to the package.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { reportError, type Logger } from '../log/logger';

/** What the acceptor needs of serve(): who listens where, and a way to hand them a connection. */
export interface AcceptorTarget {
  /** Gives `fd` (accepted for `key`) to one of `workers`; false if none can take it. */
  handOver(worker: number, key: string, fd: number): boolean;
}

interface Listener {
  server: Server;
  listening: Promise<void>;
  workers: Set<number>;
  next: number;
}

export class Acceptor {
  private readonly listeners = new Map<string, Listener>();
  /** Sockets handed to a worker and not yet adopted by it, by descriptor number. */
  private readonly inFlight = new Map<number, { socket: Socket; worker: number }>();
  private closed = false;

  constructor(
    private readonly target: AcceptorTarget,
    private readonly logger: Logger,
  ) {}

  /** Worker `worker` listens on `key` (host, port): listen there unless already listening. */
  listen(worker: number, key: string, host: string, port: number, backlog: number): Promise<void> {
    if (this.closed) return Promise.resolve();
    let l = this.listeners.get(key);
    if (l === undefined) {
      const server = createServer({ pauseOnConnect: true }, (socket) => this.accepted(key, socket));
      const listening = new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen({ host, port, backlog }, () => {
          server.off('error', reject);
          server.on('error', (err) => reportError(this.logger, `[serve acceptor] ${key}:`, err));
          resolve();
        });
      });
      // A failed listen (EADDRINUSE...) is the setup failure of the workers that asked: serve()
      // awaits this once their 'ready' arrives, which is later than the failure. Until then it
      // must not count as an unhandled rejection (that ends the process), nor be logged twice.
      listening.catch(() => undefined);
      l = { server, listening, workers: new Set(), next: 0 };
      this.listeners.set(key, l);
    }
    l.workers.add(worker);
    return l.listening;
  }

  /** Worker `worker` stopped listening on `key` (or ended): hand it nothing more there. */
  unlisten(worker: number, key?: string): void {
    for (const [k, l] of this.listeners) if (key === undefined || k === key) l.workers.delete(worker);
    // Connections in flight to a worker that ended will never be adopted: close them.
    if (key === undefined) {
      for (const [fd, f] of this.inFlight) {
        if (f.worker !== worker) continue;
        this.inFlight.delete(fd);
        f.socket.destroy();
      }
    }
  }

  /** The worker duplicated `fd`: close this copy (the connection lives on in the worker). */
  adopted(fd: number): void {
    const f = this.inFlight.get(fd);
    if (f === undefined) return;
    this.inFlight.delete(fd);
    f.socket.destroy();
  }

  /** Stops accepting everywhere (connections already handed over are the workers' now). */
  close(): Promise<void> {
    this.closed = true;
    const closing = [...this.listeners.values()].map((l) => new Promise<void>((resolve) => l.server.close(() => resolve())));
    this.listeners.clear();
    return Promise.all(closing).then(() => undefined);
  }

  private accepted(key: string, socket: Socket): void {
    // Never read here, so no error is expected; one must still not become an uncaught exception.
    socket.on('error', () => socket.destroy());
    const l = this.listeners.get(key);
    const fd = (socket as unknown as { _handle?: { fd?: number } })._handle?.fd;
    const workers = l === undefined ? [] : [...l.workers].sort((a, b) => a - b);
    if (l === undefined || workers.length === 0 || typeof fd !== 'number' || fd < 0) {
      socket.destroy();
      return;
    }
    for (let tries = 0; tries < workers.length; tries++) {
      const worker = workers[l.next++ % workers.length];
      this.inFlight.set(fd, { socket, worker });
      if (this.target.handOver(worker, key, fd)) return;
      this.inFlight.delete(fd);
    }
    socket.destroy();
  }
}
