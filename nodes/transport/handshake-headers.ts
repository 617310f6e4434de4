import type { IncomingHttpHeaders } from "node:http";

/** No headers kept: one frozen object that every such session shares. */
export const NO_HEADERS: Readonly<Record<string, string>> = Object.freeze({});

/**
 * The headers named in `names` (lower case), as single strings; repeated
 * headers are joined with ", " as HTTP allows. No other header is kept, so a
 * cookie or a token reaches a flow only when a user listed it.
 */
export function keptHeaders(headers: IncomingHttpHeaders, names: readonly string[]): Readonly<Record<string, string>> {
  // Most listeners keep none: they all share one empty object.
  if (names.length === 0) {
    return NO_HEADERS;
  }
  const kept: Record<string, string> = {};
  for (const name of names) {
    const value = headers[name];
    if (value !== undefined) {
      kept[name] = Array.isArray(value) ? value.join(", ") : value;
    }
  }
  return kept;
}

/**
 * The client's address as a reverse proxy reports it: the first address of
 * `X-Forwarded-For`, else the first `for=` of `Forwarded` (RFC 7239), with
 * quotes, brackets and a port taken off. Undefined when neither is there.
 */
export function forwardedFor(headers: IncomingHttpHeaders): string | undefined {
  const xff = headers["x-forwarded-for"];
  const first = (Array.isArray(xff) ? xff[0] : xff)?.split(",")[0]?.trim();
  if (first) {
    return first;
  }
  const forwarded = headers.forwarded;
  const match = /(?:^|[;,\s])for=("?)([^;,"]+)\1/i.exec(Array.isArray(forwarded) ? forwarded[0] ?? "" : forwarded ?? "");
  if (!match) {
    return undefined;
  }
  const node = match[2]!.trim();
  // "[2001:db8::1]:4711" or "192.0.2.60:4711"; an obfuscated or "unknown" node is kept as it is.
  const bracketed = /^\[([^\]]+)\]/.exec(node);
  if (bracketed) {
    return bracketed[1];
  }
  return /^\d+\.\d+\.\d+\.\d+:\d+$/.test(node) ? node.slice(0, node.lastIndexOf(":")) : node;
}
