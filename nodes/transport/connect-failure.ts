import { FlowsocketError } from "./errors";

/**
 * Why a client connection attempt failed, in one stable word that status
 * texts, log lines and (later) error events are built from:
 * - `dns`: the host name did not resolve;
 * - `refused`: nothing accepts TCP connections on that port;
 * - `timeout`: TCP, proxy tunnel, TLS and upgrade together took too long;
 * - `not-tls`: a wss:// URL reached a server that does not speak TLS;
 * - `tls`: the TLS handshake failed (certificate, protocol version …);
 * - `not-found`: the server answered the upgrade with HTTP 404;
 * - `http`: the server answered the upgrade with another HTTP status;
 * - `no-answer`: the server closed the connection without answering the upgrade;
 * - `proxy`: the HTTP proxy refused the CONNECT tunnel;
 * - `network`: any other socket error.
 */
export type ConnectCause = "dns" | "refused" | "timeout" | "not-tls" | "tls" | "not-found" | "http" | "no-answer" | "proxy" | "network";

/** A failed connection attempt, with what failed. */
export class ConnectError extends FlowsocketError {
  constructor(
    readonly failure: ConnectCause,
    /** What the system said, on one line. */
    readonly detail: string,
    /** The HTTP status of a refused upgrade or tunnel. */
    readonly status?: number,
  ) {
    super("FLOWSOCKET_ERR_CONNECT_FAILED", detail);
    this.name = "ConnectError";
  }
}

/** The error for an upgrade that the server answered with `status` instead of 101. */
export function upgradeRefused(status: number): ConnectError {
  return new ConnectError(status === 404 ? "not-found" : "http", `the server answered HTTP ${status}`, status);
}

/** Classifies an error `ws` or the socket reported while connecting. */
export function connectFailure(error: Error): ConnectError {
  if (error instanceof ConnectError) {
    return error;
  }
  const code = (error as NodeJS.ErrnoException).code;
  // OpenSSL messages span lines and end with a newline: keep the first line.
  const detail = error.message.split("\n")[0]!.trim();
  return new ConnectError(causeOf(code, detail), detail);
}

function causeOf(code: string | undefined, detail: string): ConnectCause {
  switch (code) {
    case "ENOTFOUND":
    case "EAI_AGAIN":
      return "dns";
    case "ECONNREFUSED":
      return "refused";
    case "ETIMEDOUT":
      return "timeout";
    case "ECONNRESET":
      // Node says "socket hang up" when the peer closed before any response.
      return detail === "socket hang up" ? "no-answer" : "network";
    case "EPROTO":
      // A plain HTTP server answers the TLS hello with HTTP, which OpenSSL
      // reads as a record of an unknown version.
      return /wrong version number|packet length too long|http request/i.test(detail) ? "not-tls" : "tls";
    default:
      if (/handshake has timed out/i.test(detail)) {
        return "timeout";
      }
      if (/CERT|SSL|TLS/.test(code ?? "") || /certificate|self[- ]signed/i.test(detail)) {
        return "tls";
      }
      return "network";
  }
}
