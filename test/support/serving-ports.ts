// serve() binds every worker to one port number with reusePort, so the kernel cannot pick it for
// them (port 0 would give each worker its own): the tests pick a port free a moment ago and meet
// the race in which another process takes it first by trying another. Shared by the serve
// suites in test/workers/.
import { createServer, type AddressInfo } from 'node:net';
import { WorkerSetupFailed, type ServeHandle } from '../../src/index';

/** How many free ports serveOnFreePort tries before it gives up on finding one nobody took. */
const PORT_ATTEMPTS = 5;

/** A port on 127.0.0.1 free a moment ago (another process may take it before serve() does). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Whether `failure` is serve()'s refusal of a port another process holds (what serveOnFreePort retries). */
export function addressInUse(failure: unknown): boolean {
  return failure instanceof WorkerSetupFailed && (failure.cause as { code?: unknown } | undefined)?.code === 'EADDRINUSE';
}

/**
 * `open(port)` (a serve() call) on a free port, once its workers are ready or have failed. When
 * another process took the port in between (ready rejects with EADDRINUSE), those workers are
 * stopped and a new port is tried, at most PORT_ATTEMPTS times; any other outcome, the ready
 * promise's rejection included, is the caller's to assert.
 */
export async function serveOnFreePort(open: (port: number) => ServeHandle): Promise<{ handle: ServeHandle; port: number; failure: unknown }> {
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    const handle = open(port);
    const failure = await handle.ready.then(
      () => undefined,
      (err: unknown) => err,
    );
    if (attempt === PORT_ATTEMPTS || !addressInUse(failure)) return { handle, port, failure };
    await handle.stop();
  }
}

/** Waits for `condition` (every 10 ms, at most 10 s). */
export async function eventually(condition: () => boolean, what: string): Promise<void> {
  const until = Date.now() + 10_000;
  while (!condition()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
