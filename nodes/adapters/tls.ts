import type { ServerOptions as SecureServerOptions } from "node:https";
import type { Node, NodeAPI } from "node-red";
import type { ClientTlsOptions } from "../transport/client-connection";

/** Core's `tls-config` node, as far as this package uses it. */
interface TlsConfigNode extends Node {
  addTLSOptions(options: ClientTlsOptions): void;
}

/**
 * What a `tls-config` node gives: certificate, key, CA and the verify flag.
 *
 * @throws Error (translated) when no tls-config node has that id.
 */
export function tlsConfigOptions(RED: NodeAPI, id: string): ClientTlsOptions {
  const tlsNode = RED.nodes.getNode(id) as TlsConfigNode | null;
  if (!tlsNode || typeof tlsNode.addTLSOptions !== "function") {
    throw new Error(RED._("flowsocket.errors.missing-tls", { id }));
  }
  const options: ClientTlsOptions = {};
  tlsNode.addTLSOptions(options);
  return options;
}

/**
 * A listener's TLS from a `tls-config` node: its certificate and key, and
 * with `verifyClients`, client certificates asked for and checked against
 * its CA (a client without one is refused in the TLS handshake).
 */
export function serverTlsOptions(RED: NodeAPI, id: string, verifyClients: boolean): SecureServerOptions {
  const { cert, key, ca, passphrase } = tlsConfigOptions(RED, id);
  if (!cert || !key) {
    throw new Error(RED._("flowsocket.errors.tls-needs-cert", { id }));
  }
  return { cert, key, ca, passphrase, requestCert: verifyClients, rejectUnauthorized: verifyClients };
}
