// Address equality as Twisted's: IPv6Address compares type, host, port, flowInfo and scopeID.
import { describe, expect, it } from 'vitest';
import { IPv4Address, IPv6Address, UNIXAddress } from '../../src/index';

describe('address equality', () => {
  it('IPv6Address compares type, host, port, flowInfo and scopeID', () => {
    const a = new IPv6Address('fe80::1', 80, 5, 2);
    expect(a.equals(new IPv6Address('fe80::1', 80, 5, 2))).toBe(true);
    expect(a.equals(new IPv6Address('fe80::1', 80, 6, 2))).toBe(false);
    expect(a.equals(new IPv6Address('fe80::1', 80, 5, 3))).toBe(false);
    expect(a.equals(new IPv6Address('fe80::1', 81, 5, 2))).toBe(false);
    expect(a.equals(new IPv6Address('fe80::2', 80, 5, 2))).toBe(false);
    expect(a.equals(new IPv6Address('fe80::1', 80, 5, 2, 'UDP'))).toBe(false);
    expect(new IPv6Address('::1', 1).equals(new IPv6Address('::1', 1, 0, 0, 'TCP'))).toBe(true);
  });

  it('addresses of different kinds are never equal', () => {
    expect(new IPv6Address('::1', 1).equals(new IPv4Address('::1', 1))).toBe(false);
    expect(new IPv4Address('127.0.0.1', 1).equals(new IPv6Address('127.0.0.1', 1))).toBe(false);
    expect(new UNIXAddress('/x').equals(new UNIXAddress('/x'))).toBe(true);
    expect(new UNIXAddress(null).equals({ type: 'UNIX', name: null })).toBe(false);
  });
});
