// Every descriptor a UNIX stream connection brings into the process is close-on-exec from the
// moment it exists: the listening socket, the accepted and the connecting one, and a descriptor
// received with SCM_RIGHTS. Linux marks a received one atomically (MSG_CMSG_CLOEXEC), macOS and
// the portable-fallbacks build (npm run test:portable) with fcntl right after recvmsg; this
// checks both. Linux only: the flags are read from /proc/self/fdinfo.
import { existsSync, readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { closeDescriptor, openPipe, type Reactor } from '../../src/index';
import { fdSet } from '../fixtures/open-descriptors';
import { closeAll, newReactor, runReactor, VARIANTS } from '../support/reactors';
import { Recorder, removeSocketDir, socketPath, TestClientFactory, TestServerFactory } from '../support/streams';

afterAll(removeSocketDir);

const O_CLOEXEC = 0o2000000; // Linux's value, as fdinfo's octal "flags" line shows it

/** Whether fd is close-on-exec, from /proc/self/fdinfo (undefined if it is gone meanwhile). */
function closeOnExec(fd: number): boolean | undefined {
  let info: string;
  try {
    info = readFileSync(`/proc/self/fdinfo/${fd}`, 'utf8');
  } catch {
    return undefined;
  }
  const flags = /^flags:\s+([0-7]+)$/m.exec(info);
  if (flags === null) throw new Error(`no flags line in /proc/self/fdinfo/${fd}`);
  return (parseInt(flags[1], 8) & O_CLOEXEC) !== 0;
}

class Keeper extends Recorder {
  passed: number | undefined;
  onDescriptor: () => void = () => {};
  fileDescriptorReceived(fd: number): void {
    this.passed = fd;
    this.onDescriptor();
  }
}

describe.skipIf(!existsSync('/proc/self/fdinfo')).each(VARIANTS)('close-on-exec descriptors on $name', (variant) => {
  it('marks the listening, accepted, connecting and received descriptors close-on-exec', async () => {
    const before = fdSet();
    const [readEnd, writeEnd] = openPipe();
    const reactor: Reactor = newReactor(variant);
    const server = new Keeper();
    const opened: { fd: number; cloexec: boolean | undefined }[] = [];
    try {
      await runReactor(reactor, (done) => {
        // Inside the callback, while the connection and the received descriptor are open.
        server.onDescriptor = () => {
          for (const fd of fdSet()) if (!before.has(fd) && fd !== readEnd && fd !== writeEnd) opened.push({ fd, cloexec: closeOnExec(fd) });
          done();
        };
        const port = reactor.listenUNIX(socketPath(), new TestServerFactory(() => server));
        const client = new Recorder();
        client.connectionMade = () => {
          const transport = client.transport as unknown as { sendFileDescriptor(fd: number): void; write(data: Buffer): void };
          transport.sendFileDescriptor(writeEnd);
          transport.write(Buffer.from('x'));
        };
        reactor.connectUNIX((port.getHost() as { name: string }).name, new TestClientFactory(() => client));
      });
    } finally {
      if (server.passed !== undefined) closeDescriptor(server.passed);
      closeAll([readEnd, writeEnd]);
    }
    expect(server.passed).toBeTypeOf('number');
    expect(opened.map((o) => o.fd)).toContain(server.passed);
    // At least the listener, both ends of the connection and the received descriptor.
    expect(opened.length).toBeGreaterThanOrEqual(4);
    expect(opened.filter((o) => o.cloexec === false)).toEqual([]);
  });
});
