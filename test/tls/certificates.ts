// Certificates made at test time with the openssl command line, in a temporary directory that
// is removed afterwards: a CA, a server certificate it signs (for 127.0.0.1, ::1 and
// localhost), a client certificate it signs, and a second CA with a certificate of its own,
// which the first CA's clients must refuse. EC P-256 keys: quick to make and to use.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

export interface TestCertificates {
  ca: Buffer;
  serverKey: Buffer;
  serverCert: Buffer;
  clientKey: Buffer;
  clientCert: Buffer;
  /** Signed by another CA, for the same names as the server certificate. */
  otherKey: Buffer;
  otherCert: Buffer;
}

function openssl(dir: string, args: string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'], timeout: 20_000 });
}

/** A new EC P-256 key in `<name>.key` with, as `kind` says, a self-signed CA certificate or a signing request. */
function newKey(dir: string, name: string, kind: 'ca' | 'csr'): void {
  const request = kind === 'ca' ? ['-x509', '-out', `${name}.crt`, '-days', '2'] : ['-out', `${name}.csr`];
  openssl(dir, ['req', ...request, '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', `${name}.key`, '-subj', `/CN=${name}`]);
}

function makeCA(dir: string, name: string): void {
  newKey(dir, name, 'ca');
}

function makeLeaf(dir: string, name: string, ca: string, extensions: string): void {
  writeFileSync(path.join(dir, `${name}.ext`), extensions);
  newKey(dir, name, 'csr');
  openssl(dir, [
    'x509',
    '-req',
    '-in',
    `${name}.csr`,
    '-CA',
    `${ca}.crt`,
    '-CAkey',
    `${ca}.key`,
    '-CAcreateserial',
    '-out',
    `${name}.crt`,
    '-days',
    '2',
    '-extfile',
    `${name}.ext`,
  ]);
}

/** Makes the certificates; they are read into memory and the directory removed before this returns. */
export function makeCertificates(): TestCertificates {
  const dir = mkdtempSync(path.join(tmpdir(), 'ioreactor-tls-'));
  try {
    const serverNames = 'subjectAltName=IP:127.0.0.1,IP:::1,DNS:localhost\n';
    makeCA(dir, 'test-ca');
    makeCA(dir, 'other-ca');
    makeLeaf(dir, 'server', 'test-ca', serverNames);
    makeLeaf(dir, 'client', 'test-ca', 'extendedKeyUsage=clientAuth\n');
    makeLeaf(dir, 'other', 'other-ca', serverNames);
    const read = (file: string): Buffer => readFileSync(path.join(dir, file));
    return {
      ca: read('test-ca.crt'),
      serverKey: read('server.key'),
      serverCert: read('server.crt'),
      clientKey: read('client.key'),
      clientCert: read('client.crt'),
      otherKey: read('other.key'),
      otherCert: read('other.crt'),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
