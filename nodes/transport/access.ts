import { createHash, timingSafeEqual } from "node:crypto";
import type { IncomingMessage } from "node:http";

/** Where a client may present the listener's token. */
export interface TokenSources {
  /** `Authorization: Bearer <token>`. */
  readonly header?: boolean;
  /** A query parameter of that name: `?access_token=<token>`. */
  readonly query?: string;
  /** A subprotocol entry `bearer.<token>` among those the client offers (browsers cannot set headers). */
  readonly subprotocol?: boolean;
}

/** Who may open a session, checked in the handshake before any WebSocket exists. */
export interface AccessRules {
  /** The token clients must present, with the name it goes by in `principal`; undefined: no token needed. */
  readonly token?: { readonly name: string; readonly value: string; readonly from: TokenSources };
  /** Allowed `Origin` values (scheme, host and port, as browsers send them); undefined: any. */
  readonly origins?: readonly string[];
  /** HTTP Basic authentication, as Node-RED's `httpNodeAuth` asks for its HTTP nodes. */
  readonly basic?: { readonly user: string; check(password: string): boolean };
}

/** What the check learned about the client: never the secret itself. */
export type Principal =
  | { readonly method: "token"; readonly name: string; readonly source: "header" | "query" | "subprotocol" }
  | { readonly method: "basic"; readonly user: string };

export type AccessDecision =
  | { readonly ok: true; readonly principal: Principal | undefined }
  | { readonly ok: false; readonly status: 401 | 403; readonly reason: string };

/** The prefix of a subprotocol entry that carries a token. */
const TOKEN_PROTOCOL_PREFIX = "bearer.";

/**
 * Decides whether a handshake may go on: its Origin must be allowed (else
 * 403), its Basic credentials right (else 401) and its token right (else
 * 401). Tokens and passwords are compared in constant time.
 */
export function decideAccess(request: IncomingMessage, rules: AccessRules): AccessDecision {
  if (rules.origins) {
    const origin = request.headers.origin;
    if (!origin || !rules.origins.includes(origin.toLowerCase())) {
      return { ok: false, status: 403, reason: `origin ${origin ?? "(none)"} is not allowed` };
    }
  }
  let principal: Principal | undefined;
  if (rules.basic) {
    const credentials = basicCredentials(request.headers.authorization);
    if (!credentials || !sameSecret(credentials.user, rules.basic.user) || !rules.basic.check(credentials.password)) {
      return { ok: false, status: 401, reason: "no or wrong Basic credentials" };
    }
    principal = { method: "basic", user: credentials.user };
  }
  if (rules.token) {
    const found = presentedToken(request, rules.token.from);
    if (!found) {
      return { ok: false, status: 401, reason: "no token" };
    }
    if (!sameSecret(found.token, rules.token.value)) {
      return { ok: false, status: 401, reason: `wrong token (from the ${found.source})` };
    }
    principal = { method: "token", name: rules.token.name, source: found.source };
  }
  return { ok: true, principal };
}

/** The offered subprotocols without the entries that carry a token, which are never chosen. */
export function withoutTokens(offered: Iterable<string>): string[] {
  return [...offered].filter((protocol) => !protocol.startsWith(TOKEN_PROTOCOL_PREFIX));
}

/** Compares two secrets in time that does not depend on where they differ (hashed first, so lengths match). */
function sameSecret(given: string, expected: string): boolean {
  const digest = (value: string): Buffer => createHash("sha256").update(value, "utf8").digest();
  return timingSafeEqual(digest(given), digest(expected));
}

function presentedToken(request: IncomingMessage, from: TokenSources): { token: string; source: "header" | "query" | "subprotocol" } | undefined {
  if (from.header) {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(request.headers.authorization ?? "");
    if (match) {
      return { token: match[1]!, source: "header" };
    }
  }
  if (from.query) {
    const token = new URL(request.url ?? "/", "ws://listener").searchParams.get(from.query);
    if (token) {
      return { token, source: "query" };
    }
  }
  if (from.subprotocol) {
    const offered = String(request.headers["sec-websocket-protocol"] ?? "").split(",");
    const entry = offered.map((protocol) => protocol.trim()).find((protocol) => protocol.startsWith(TOKEN_PROTOCOL_PREFIX));
    if (entry) {
      return { token: entry.slice(TOKEN_PROTOCOL_PREFIX.length), source: "subprotocol" };
    }
  }
  return undefined;
}

function basicCredentials(header: string | undefined): { user: string; password: string } | undefined {
  const match = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header ?? "");
  if (!match) {
    return undefined;
  }
  const decoded = Buffer.from(match[1]!, "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  return colon === -1 ? undefined : { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}
