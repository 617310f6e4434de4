import { FlowsocketError } from "./errors";

/**
 * The full path a listener serves: Node-RED's `httpNodeRoot` joined with the
 * listener's own path, with exactly one slash between them.
 *
 * @throws FlowsocketError `FLOWSOCKET_ERR_INVALID_PATH` for an empty path, or
 *   one with white space, a query (`?`) or a fragment (`#`).
 */
export function listenerPath(httpNodeRoot: string, path: string): string {
  const trimmed = path.trim();
  if (trimmed === "" || trimmed === "/") {
    throw new FlowsocketError("FLOWSOCKET_ERR_INVALID_PATH", `Invalid listener path "${path}": it is empty`);
  }
  if (/[\s?#]/.test(trimmed)) {
    throw new FlowsocketError(
      "FLOWSOCKET_ERR_INVALID_PATH",
      `Invalid listener path "${path}": it may not contain white space, "?" or "#"`,
    );
  }
  const root = httpNodeRoot.endsWith("/") ? httpNodeRoot : `${httpNodeRoot}/`;
  const relative = trimmed.startsWith("/") ? trimmed.slice(1) : trimmed;
  return `${root.startsWith("/") ? "" : "/"}${root}${relative}`;
}
