import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface TestCert {
  dir: string;
  certFile: string;
  keyFile: string;
  /** The certificate, PEM (a CA for clients: it is self-signed). */
  cert: string;
  remove(): void;
}

/**
 * A self-signed certificate made with openssl for the test (ECDSA P-256, valid 2 days) for
 * `names`: IP addresses and DNS names, put in subjectAltName. Written in a temporary folder, or
 * over the files of `into` (a renewal).
 */
export function makeTestCert(names: string[], cn = 'nomades-test', into?: { certFile: string; keyFile: string }): TestCert {
  const dir = into ? path.dirname(into.certFile) : fs.mkdtempSync(path.join(os.tmpdir(), 'nomades-cert-'));
  const certFile = into?.certFile ?? path.join(dir, 'cert.pem');
  const keyFile = into?.keyFile ?? path.join(dir, 'key.pem');
  const san = names.map((n) => (/^[\d.]+$|:/.test(n) ? `IP:${n}` : `DNS:${n}`)).join(',');
  const tmpCert = `${certFile}.new`;
  const tmpKey = `${keyFile}.new`;
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', tmpKey, '-out', tmpCert, '-days', '2', '-subj', `/CN=${cn}`, '-addext', `subjectAltName=${san}`], { stdio: 'pipe' });
  // Replaced by rename, as certbot does: the key first, then the certificate.
  fs.renameSync(tmpKey, keyFile);
  fs.renameSync(tmpCert, certFile);
  return { dir, certFile, keyFile, cert: fs.readFileSync(certFile, 'utf8'), remove: () => fs.rmSync(dir, { recursive: true, force: true }) };
}
