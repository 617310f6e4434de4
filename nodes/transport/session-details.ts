import type { Principal } from "./access";
import { splitTarget } from "./paths";
import { NOT_YET_A_NUMBER } from "./shared-numbers";

/**
 * What the opening handshake told about a session, as its endpoint hands it
 * over. Read once, when the session's details are first asked for, and then
 * let go.
 */
export interface Handshake {
  /** Which side this session is on: a listener's (`url` is then the request target) or a client's. */
  readonly side: "listener" | "client";
  /** The peer's address and port as the TCP connection saw them (or a trusted proxy said). */
  readonly remoteAddress: string;
  readonly remotePort: number;
  /** The request target (path and query) on a listener, the URL on a client. */
  readonly url: string;
  /** When the session opened, in ms since the epoch. */
  readonly openedAt: number;
  /** The request headers the endpoint was told to keep (lower-case names), and only those. */
  readonly headers: Readonly<Record<string, string>>;
  /** Who the client proved to be, when the listener checked (never the secret). */
  readonly principal?: Principal;
}

/**
 * Everything a flow may be told about a session, built once per session. It
 * has the shape of `msg._session` (`type` is the tag Node-RED's core
 * WebSocket nodes put there, which flows test), and each message gets a copy
 * of its own (copyDetails). Its nested objects are frozen, as copies share
 * them.
 */
export interface SessionDetails {
  readonly type: "websocket";
  readonly id: string;
  /** The listener's path the client connected to (listener), or the URL connected to (client). */
  readonly path?: string;
  readonly url?: string;
  readonly remoteAddress: string;
  readonly remotePort: number;
  readonly protocol: string;
  readonly query: Readonly<Record<string, string | string[]>>;
  readonly headers: Readonly<Record<string, string>>;
  readonly openedAt: number;
  /** Who the client proved to be, when the listener checks: `{method: "token", name, source}` or `{method: "basic", user}`. */
  readonly principal?: Principal;
}

/**
 * Builds a session's details from its handshake and `protocol`, the
 * subprotocol agreed on ("" for none), which the session's socket keeps.
 */
export function describeSession(id: string, handshake: Handshake, protocol: string): SessionDetails {
  const { remoteAddress, remotePort, openedAt, url } = handshake;
  // Already read-only when none were kept (a shared frozen object); else copied and frozen.
  const headers = Object.isFrozen(handshake.headers) ? handshake.headers : Object.freeze({ ...handshake.headers });
  const { path, search } = splitTarget(url);
  const query = queryOf(search);
  const principal = handshake.principal && Object.freeze({ ...handshake.principal });
  return copyDetails({ type: "websocket", id, path: handshake.side === "listener" ? path : undefined, url, remoteAddress, remotePort, protocol, query, headers, openedAt, principal });
}

/**
 * A copy of a session's details, for a message of its own: one literal per
 * shape (a listener's, with or without a principal, and a client's), which
 * V8 makes with every field in the object itself. A spread copy (`{...d}`)
 * keeps only four there and the rest in a second allocation, and took six
 * times as long.
 */
export function copyDetails(d: SessionDetails): SessionDetails {
  const { type, id, path, remoteAddress, remotePort, protocol, query, headers, openedAt, principal } = d;
  if (path === undefined) {
    return { type, id, url: d.url, remoteAddress, remotePort, protocol, query, headers, openedAt };
  }
  return principal
    ? { type, id, path, remoteAddress, remotePort, protocol, query, headers, openedAt, principal }
    : { type, id, path, remoteAddress, remotePort, protocol, query, headers, openedAt };
}

const NO_QUERY: Readonly<Record<string, string | string[]>> = Object.freeze({});

// Each shape of copy gets `openedAt` as a pointer to the details' own
// number, not a box of its own (see shared-numbers.ts).
for (const shape of [{ url: "" }, { path: "" }, { path: "", principal: {} as Principal }]) {
  copyDetails({ type: "websocket", id: "", remoteAddress: "", remotePort: 0, protocol: "", query: NO_QUERY, headers: {}, openedAt: NOT_YET_A_NUMBER, ...shape });
}

/** The query string as an object, frozen; a name given more than once has an array of its values. */
function queryOf(search: string): Readonly<Record<string, string | string[]>> {
  if (search === "") {
    return NO_QUERY;
  }
  const query: Record<string, string | string[]> = {};
  for (const [name, value] of new URLSearchParams(search)) {
    const earlier = query[name];
    query[name] = earlier === undefined ? value : Array.isArray(earlier) ? [...earlier, value] : [earlier, value];
  }
  return Object.freeze(query);
}
