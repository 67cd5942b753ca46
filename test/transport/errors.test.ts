// The connection errors' hierarchy, codes and messages (Twisted's twisted.internet.error).
import { describe, expect, it } from 'vitest';
import { IoReactorError } from '../../src/errors';
import { Failure } from '../../src/defer/failure';
import {
  ConnectError,
  ConnectionAborted,
  ConnectionDone,
  ConnectionLost,
  ConnectionRefusedError,
  ConnectTimeoutError,
  DNSLookupError,
  UserAbortedConnect,
} from '../../src/transport/errors';

describe('connection errors', () => {
  it('ConnectionAborted is a ConnectionLost, as in Twisted, and keeps its own code and message', () => {
    const aborted = new ConnectionAborted();
    expect(aborted).toBeInstanceOf(ConnectionAborted);
    expect(aborted).toBeInstanceOf(ConnectionLost);
    expect(aborted).toBeInstanceOf(IoReactorError);
    expect(aborted).not.toBeInstanceOf(ConnectionDone);
    expect(Object.getPrototypeOf(ConnectionAborted)).toBe(ConnectionLost);
    expect(aborted.name).toBe('ConnectionAborted');
    expect(aborted.code).toBe('ERR_IOREACTOR_CONNECTION_ABORTED');
    expect(aborted.message).toBe('connection was aborted locally using abortConnection');
    expect(String(aborted)).toBe('ConnectionAborted: connection was aborted locally using abortConnection');
    const cause = new Error('why');
    const withCause = new ConnectionAborted('gone', { cause });
    expect(withCause.message).toBe('gone');
    expect(withCause.cause).toBe(cause);
    expect(withCause.code).toBe('ERR_IOREACTOR_CONNECTION_ABORTED');
    expect('cause' in aborted).toBe(false);
  });

  it('a ConnectionLost is not a ConnectionAborted, and keeps its code', () => {
    const lost = new ConnectionLost();
    expect(lost).not.toBeInstanceOf(ConnectionAborted);
    expect(lost.code).toBe('ERR_IOREACTOR_CONNECTION_LOST');
    expect(lost.name).toBe('ConnectionLost');
    expect(new ConnectionLost('x', { cause: 1 }).cause).toBe(1);
  });

  it('Failure.check tells an abort from a loss when ConnectionAborted is tested first', () => {
    const aborted = new Failure(new ConnectionAborted());
    const lost = new Failure(new ConnectionLost());
    expect(aborted.check(ConnectionAborted, ConnectionLost)).toBe(ConnectionAborted);
    expect(lost.check(ConnectionAborted, ConnectionLost)).toBe(ConnectionLost);
    expect(aborted.check('ConnectionLost')).toBe('ConnectionLost');
  });

  it('the connect failures are ConnectErrors, not connection losses', () => {
    for (const e of [new ConnectionRefusedError(), new ConnectTimeoutError(), new DNSLookupError(), new UserAbortedConnect()]) {
      expect(e).toBeInstanceOf(ConnectError);
      expect(e).toBeInstanceOf(IoReactorError);
      expect(e).not.toBeInstanceOf(ConnectionLost);
    }
    expect(new ConnectError().code).toBe('ERR_IOREACTOR_CONNECT_FAILED');
  });
});
