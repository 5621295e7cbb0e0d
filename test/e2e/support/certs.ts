// Throwaway PKI for TLS tests, made with the openssl CLI: a CA, a collector certificate for
// 127.0.0.1/localhost, client certificates with a chosen CN, and a rogue CA's client.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TestPki {
  dir: string;
  caCert: string;
  serverCert: string;
  serverKey: string;
  /** Client certificate and key paths for a CN, signed by the CA (or by a rogue CA). */
  client(cn: string, rogue?: boolean): { cert: string; key: string };
}

const ssl = (dir: string, args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });

function makeCa(dir: string, name: string): void {
  ssl(dir, ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '2', '-subj', `/CN=${name}`,
    '-keyout', `${name}.key`, '-out', `${name}.crt`]);
}

function sign(dir: string, ca: string, name: string, cn: string, ext: string): void {
  ssl(dir, ['req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-subj', `/CN=${cn}`, '-keyout', `${name}.key`, '-out', `${name}.csr`]);
  writeFileSync(join(dir, `${name}.ext`), ext);
  ssl(dir, ['x509', '-req', '-in', `${name}.csr`, '-CA', `${ca}.crt`, '-CAkey', `${ca}.key`, '-CAcreateserial', '-days', '2',
    '-extfile', `${name}.ext`, '-out', `${name}.crt`]);
}

export function makePki(): TestPki {
  const dir = mkdtempSync(join(tmpdir(), 'telltale-pki-'));
  makeCa(dir, 'ca');
  makeCa(dir, 'rogue-ca');
  sign(dir, 'ca', 'server', 'localhost', 'subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n');
  let n = 0;
  return {
    dir, caCert: join(dir, 'ca.crt'), serverCert: join(dir, 'server.crt'), serverKey: join(dir, 'server.key'),
    client(cn, rogue = false) {
      const name = `client-${n++}`;
      sign(dir, rogue ? 'rogue-ca' : 'ca', name, cn, 'extendedKeyUsage=clientAuth\n');
      return { cert: join(dir, `${name}.crt`), key: join(dir, `${name}.key`) };
    },
  };
}
