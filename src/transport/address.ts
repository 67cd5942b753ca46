/**
 * Address objects, as Twisted's `twisted.internet.address`: what `getPeer()`, `getHost()` and
 * `buildProtocol(addr)` see. They are plain immutable values, compared with `equals`.
 */
export class IPv4Address {
  constructor(
    readonly host: string,
    readonly port: number,
    /** 'UDP' for the addresses of datagram ports and their peers. */
    readonly type: 'TCP' | 'UDP' = 'TCP',
  ) {
    Object.freeze(this);
  }
  equals(other: unknown): boolean {
    return other instanceof IPv4Address && other.host === this.host && other.port === this.port && other.type === this.type;
  }
  toString(): string {
    return `IPv4Address(${this.type}, '${this.host}', ${this.port})`;
  }
}

export class IPv6Address {
  constructor(
    readonly host: string,
    readonly port: number,
    readonly flowInfo = 0,
    readonly scopeID = 0,
    /** 'UDP' for the addresses of datagram ports and their peers. */
    readonly type: 'TCP' | 'UDP' = 'TCP',
  ) {
    Object.freeze(this);
  }
  equals(other: unknown): boolean {
    // Twisted compares all five fields: the flow label and the scope are part of the address.
    return (
      other instanceof IPv6Address &&
      other.host === this.host &&
      other.port === this.port &&
      other.flowInfo === this.flowInfo &&
      other.scopeID === this.scopeID &&
      other.type === this.type
    );
  }
  toString(): string {
    return `IPv6Address(${this.type}, '${this.host}', ${this.port})`;
  }
}

/**
 * A UNIX socket address. `name` is the path, or for a Linux abstract socket a string starting
 * with a NUL character (`'\0name'`), or null for an unnamed socket (most client ends).
 */
export class UNIXAddress {
  readonly type = 'UNIX' as const;
  constructor(readonly name: string | null) {
    Object.freeze(this);
  }
  equals(other: unknown): boolean {
    return other instanceof UNIXAddress && other.name === this.name;
  }
  toString(): string {
    return `UNIXAddress(${this.name === null ? 'None' : JSON.stringify(this.name)})`;
  }
}

export type Address = IPv4Address | IPv6Address | UNIXAddress;
