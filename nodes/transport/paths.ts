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

/**
 * A request target ("/ws?x=1") or a client's URL, split at its query (and
 * without a fragment): cheaper than a URL parse, which an upgrade and a
 * session's details would otherwise pay on every open.
 */
export function splitTarget(target: string): { path: string; search: string } {
  const query = target.indexOf("?");
  const hash = target.indexOf("#", query === -1 ? 0 : query);
  const end = hash === -1 ? target.length : hash;
  return query === -1 ? { path: target.slice(0, end), search: "" } : { path: target.slice(0, query), search: target.slice(query + 1, end) };
}
