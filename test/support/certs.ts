import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface TestCertificates {
  dir: string;
  caFile: string;
  ca: Buffer;
  /** The server's, for localhost and 127.0.0.1. */
  key: Buffer;
  cert: Buffer;
  /** A server certificate for the name flowsocket.test only. */
  altKey: Buffer;
  altCert: Buffer;
  /** A client certificate (CN flowsocket client), as files for a tls-config node. */
  clientKeyFile: string;
  clientCertFile: string;
  remove(): void;
}

/**
 * A throw-away certificate authority and the certificates it signed: a server
 * certificate for localhost and 127.0.0.1, another for flowsocket.test only,
 * and a client certificate. Made with the openssl command line (installed by
 * .ci/run where missing).
 */
export function makeCertificates(): TestCertificates {
  const dir = mkdtempSync(join(tmpdir(), "flowsocket-certs-"));
  const path = (name: string): string => join(dir, name);
  const openssl = (...args: string[]): void => {
    execFileSync("openssl", args, { stdio: "pipe" });
  };
  openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=flowsocket test CA",
    "-keyout", path("ca.key"), "-out", path("ca.pem"));
  // Each certificate: a key, a request, and the CA's signature with the given names.
  const issue = (name: string, subject: string, extension: string): void => {
    openssl("req", "-newkey", "rsa:2048", "-nodes", "-subj", subject, "-keyout", path(`${name}.key`), "-out", path(`${name}.csr`));
    writeFileSync(path(`${name}.ext`), `${extension}\n`);
    openssl("x509", "-req", "-in", path(`${name}.csr`), "-CA", path("ca.pem"), "-CAkey", path("ca.key"),
      "-CAcreateserial", "-days", "2", "-extfile", path(`${name}.ext`), "-out", path(`${name}.pem`));
  };
  issue("server", "/CN=localhost", "subjectAltName=DNS:localhost,IP:127.0.0.1");
  issue("alt", "/CN=flowsocket.test", "subjectAltName=DNS:flowsocket.test");
  issue("client", "/CN=flowsocket client", "extendedKeyUsage=clientAuth");
  return {
    dir,
    caFile: path("ca.pem"),
    ca: readFileSync(path("ca.pem")),
    key: readFileSync(path("server.key")),
    cert: readFileSync(path("server.pem")),
    altKey: readFileSync(path("alt.key")),
    altCert: readFileSync(path("alt.pem")),
    clientKeyFile: path("client.key"),
    clientCertFile: path("client.pem"),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
