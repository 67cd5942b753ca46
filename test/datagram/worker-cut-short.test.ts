// A worker can be terminated between any two JavaScript statements, also between the call that
// makes a datagram socket (listenUDP, adoptDatagramPort, a UNIX datagram port) or connects it,
// and the statements that build its DatagramPort. At each such instant the socket is already
// the reactor core's, so the environment's cleanup hook closes it: no-leaks.ts checks this
// process's descriptors.
import { createSocket, type Socket } from 'node:dgram';
import { describe, expect, it } from 'vitest';
import { cutShort, type Cut } from '../support/cut-short';
import { VARIANTS } from '../support/reactors';

const CUTS: (Cut & { name: string })[] = [
  { name: 'listenUDP has its socket, no port yet', scenario: 'listenUDP', call: 'datagramOpen', nth: 1 },
  { name: 'a UDP port was just connected', scenario: 'connectUDP', call: 'datagramConnect', nth: 1 },
  { name: 'adoptDatagramPort has its copy, no port yet', scenario: 'adoptDatagramPort', call: 'datagramAdopt', nth: 1 },
  { name: 'adoptDatagramPort is checking the family', scenario: 'adoptDatagramPort', call: 'address', nth: 1 },
  { name: 'a UNIX datagram client has its socket, not connected', scenario: 'unixDatagram', call: 'datagramOpen', nth: 1 },
  { name: 'a UNIX datagram client is connected, no port yet', scenario: 'unixDatagram', call: 'datagramConnect', nth: 1 },
];

function boundSocket(): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = createSocket('udp4');
    socket.once('error', reject);
    socket.bind(0, '127.0.0.1', () => resolve(socket));
  });
}

describe.skipIf(process.platform !== 'linux').each(VARIANTS)('a worker cut short while its reactor sets up a datagram port, on $name', (variant) => {
  it.each(CUTS)(
    'leaves no descriptor when cut short once $name',
    async (cut) => {
      // The parent's own socket, which the worker's reactor adopts (it takes a copy).
      const socket = cut.scenario === 'adoptDatagramPort' ? await boundSocket() : undefined;
      try {
        const fds = socket === undefined ? [] : [(socket as unknown as { _handle: { fd: number } })._handle.fd];
        const { exitCode, errors } = await cutShort(variant, cut, fds);
        expect(exitCode).toBe(1);
        expect(errors).toEqual([]);
      } finally {
        await new Promise((resolve) => (socket === undefined ? resolve(undefined) : socket.close(() => resolve(undefined))));
      }
    },
    20_000,
  );
});
