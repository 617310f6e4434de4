import type { ServerOptions as SecureServerOptions } from "node:https";
import type { OwnAddress } from "../transport/own-servers";
import { optionalNumberSetting } from "./parse";

/** Where a listener listens when it does not use Node-RED's server: port empty means Node-RED's. */
export interface OwnAddressDef {
  port?: string | number;
  /** An address of this machine, "" for every interface. */
  host?: string;
  /** A `tls-config` node's id, for wss://. */
  tls?: string;
  /** With TLS: ask clients for a certificate and check it. */
  clientCert?: boolean | string;
}

/**
 * The listener's own address, or undefined to serve on Node-RED's server.
 *
 * @param tlsFor the TLS options of a tls-config node (throws when it is missing).
 * @throws SettingError for a port outside 1-65535.
 */
export function ownAddress(def: OwnAddressDef, tlsFor: (id: string) => SecureServerOptions): OwnAddress | undefined {
  const port = optionalNumberSetting(def, "port", 1, 65535);
  if (port === undefined) {
    return undefined;
  }
  const host = def.host?.trim() ?? "";
  return def.tls ? { host, port: Math.floor(port), tls: tlsFor(def.tls) } : { host, port: Math.floor(port) };
}
