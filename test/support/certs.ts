import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface TestCertificates {
  dir: string;
  caFile: string;
  ca: Buffer;
  key: Buffer;
  cert: Buffer;
  remove(): void;
}

/**
 * A throw-away certificate authority and a server certificate it signed for
 * localhost and 127.0.0.1, made with the openssl command line (installed by
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
  openssl("req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=localhost", "-keyout", path("server.key"),
    "-out", path("server.csr"));
  writeFileSync(path("san.ext"), "subjectAltName=DNS:localhost,IP:127.0.0.1\n");
  openssl("x509", "-req", "-in", path("server.csr"), "-CA", path("ca.pem"), "-CAkey", path("ca.key"),
    "-CAcreateserial", "-days", "2", "-extfile", path("san.ext"), "-out", path("server.pem"));
  return {
    dir,
    caFile: path("ca.pem"),
    ca: readFileSync(path("ca.pem")),
    key: readFileSync(path("server.key")),
    cert: readFileSync(path("server.pem")),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
