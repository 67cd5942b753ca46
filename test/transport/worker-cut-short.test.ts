// A worker can be terminated between any two JavaScript statements, also between the call that
// makes a stream socket (listen, connect, accept, adopt, a descriptor queued to send) and the
// statements that build its Port or transport around it. At each such instant the socket is
// already the reactor core's (registered under a name JavaScript only refers to), so the
// environment's cleanup hook closes it: no-leaks.ts checks this process's descriptors.
// A received descriptor is the one exception, at the edge of the library: it is the protocol's
// from the call of fileDescriptorReceived on (StreamSet.onDescriptor says why), and
// descriptor-passing.test.ts cuts a worker short inside that call.
import { closeSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { describe, expect, it } from 'vitest';
import { openPipe, openSocketPair } from '../../src/index';
import { cutShort, type Cut } from '../support/cut-short';
import { VARIANTS } from '../support/reactors';

const CUTS: (Cut & { name: string })[] = [
  { name: 'listenTCP has its socket, no Port yet', scenario: 'listenTCP', call: 'listen', nth: 1 },
  { name: 'connectTCP is in progress, no connector yet', scenario: 'connectTCP', call: 'connect', nth: 1 },
  { name: 'a connection is up, no protocol yet (getsockname returned)', scenario: 'connectTCP', call: 'address', nth: 1 },
  { name: 'a connection was accepted, inside buildProtocol', scenario: 'connectTCP', call: 'buildProtocol', nth: 1 },
  { name: 'adoptStreamConnection has its copy, no transport yet', scenario: 'adoptStreamConnection', call: 'adopt', nth: 1 },
  { name: 'adoptStreamPort has its copy, no Port yet', scenario: 'adoptStreamPort', call: 'adopt', nth: 1 },
  { name: 'a descriptor is queued to send (the core holds a copy)', scenario: 'sendFileDescriptor', call: 'sendDescriptor', nth: 1 },
];

function listeningDescriptor(): Promise<{ server: Server; fd: number }> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve({ server, fd: (server as unknown as { _handle: { fd: number } })._handle.fd }));
  });
}

describe.each(VARIANTS)('a worker cut short while its reactor sets up a stream, on $name', (variant) => {
  it.each(CUTS)(
    'leaves no descriptor when cut short once $name',
    async (cut) => {
      // The parent's own descriptors, which the worker's reactor adopts (it takes copies).
      const pairs: number[] = [];
      let server: Server | undefined;
      let fds: number[] = [];
      if (cut.scenario === 'adoptStreamConnection') fds = openSocketPair();
      if (cut.scenario === 'sendFileDescriptor') fds = [...openSocketPair(), ...openPipe()];
      pairs.push(...fds);
      if (cut.scenario === 'adoptStreamPort') {
        const listening = await listeningDescriptor();
        server = listening.server;
        fds = [listening.fd];
      }
      try {
        const { exitCode, errors } = await cutShort(variant, cut, fds);
        expect(exitCode).toBe(1);
        expect(errors).toEqual([]);
      } finally {
        for (const fd of pairs) closeSync(fd);
        await new Promise((resolve) => (server === undefined ? resolve(undefined) : server.close(resolve)));
      }
    },
    20_000,
  );
});
