import type { LimitName } from "./limits";

/**
 * Stable error codes of the transport. Node adapters map them to catalog
 * messages; tests assert on them rather than on English text.
 */
export type FlowsocketErrorCode =
  | "FLOWSOCKET_ERR_INVALID_URL"
  | "FLOWSOCKET_ERR_INVALID_PATH"
  | "FLOWSOCKET_ERR_INVALID_PROTOCOL"
  | "FLOWSOCKET_ERR_DUPLICATE_PATH"
  | "FLOWSOCKET_ERR_NOT_CONNECTED"
  | "FLOWSOCKET_ERR_SESSION_GONE"
  | "FLOWSOCKET_ERR_HEARTBEAT_TIMEOUT"
  | "FLOWSOCKET_ERR_CONNECT_FAILED"
  | "FLOWSOCKET_ERR_ALREADY_CONNECTED"
  | "FLOWSOCKET_ERR_GAVE_UP"
  | "FLOWSOCKET_ERR_LIMIT"
  | "FLOWSOCKET_ERR_REFUSED"
  | "FLOWSOCKET_ERR_PORT"
  | "FLOWSOCKET_ERR_CLOSED";

/** An error raised by the transport, with a code that does not change between releases. */
export class FlowsocketError extends Error {
  readonly code: FlowsocketErrorCode;

  constructor(code: FlowsocketErrorCode, message: string) {
    super(message);
    this.name = "FlowsocketError";
    this.code = code;
  }
}

/** A limit an endpoint holds its peers to was reached: `limit` says which. */
export class LimitError extends FlowsocketError {
  constructor(
    readonly limit: LimitName,
    message: string,
  ) {
    super("FLOWSOCKET_ERR_LIMIT", message);
    this.name = "LimitError";
  }
}

/** A handshake the listener refused (401 or 403): told as an error, never as a session. */
export class RefusedError extends FlowsocketError {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super("FLOWSOCKET_ERR_REFUSED", message);
    this.name = "RefusedError";
  }
}

/** The error of a send to a session that is not (or no longer) connected. */
export function sessionGone(id: string): FlowsocketError {
  return new FlowsocketError("FLOWSOCKET_ERR_SESSION_GONE", `Session ${id} is not connected`);
}

/** Turns anything thrown or emitted into an Error, so callers can rely on `.message`. */
export function toError(value: unknown): Error {
  return value instanceof Error ? value : new Error(String(value));
}
