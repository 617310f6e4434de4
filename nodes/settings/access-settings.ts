import { createHash } from "node:crypto";
import bcrypt from "bcryptjs";
import type { AccessRules } from "../transport/access";
import { flag, lowerCaseList, SettingError } from "./parse";

/** A listener's access settings as saved; the token itself is a credential, not in the flow. */
export interface AccessSettingsDef {
  /** What the token is called in `_session.principal` (default "token"). */
  tokenName?: string;
  tokenHeader?: boolean | string;
  /** The query parameter a token may come in; empty for none. */
  tokenQuery?: string;
  tokenSubprotocol?: boolean | string;
  /** Allowed origins, comma-separated; empty for any. */
  origins?: string;
  /** Ask for Node-RED's own `httpNodeAuth` credentials. */
  httpNodeAuth?: boolean | string;
}

/** Node-RED's `httpNodeAuth` setting: user and password hash, or middleware of its own. */
export type HttpNodeAuth = { user?: unknown; pass?: unknown } | ((...args: unknown[]) => unknown) | unknown[] | undefined;

/**
 * The access rules of a listener, or undefined when it has none.
 *
 * @param token the token credential ("" or undefined: no token check).
 * @throws SettingError when `httpNodeAuth` is asked for but Node-RED's setting
 *   is missing, or is middleware that a WebSocket handshake cannot run.
 */
export function accessRules(def: AccessSettingsDef, token: string | undefined, httpNodeAuth: HttpNodeAuth): AccessRules | undefined {
  const rules: { token?: AccessRules["token"]; origins?: string[]; basic?: AccessRules["basic"] } = {};
  if (token) {
    const query = def.tokenQuery?.trim() || undefined;
    const subprotocol = flag(def.tokenSubprotocol);
    // A token with nowhere to come from would refuse everyone: the header is the default place.
    const header = flag(def.tokenHeader) || (!query && !subprotocol);
    rules.token = { name: def.tokenName?.trim() || "token", value: token, from: { header, query, subprotocol } };
  }
  const origins = lowerCaseList(def.origins)
    .map((origin) => origin.replace(/\/+$/, ""))
    .filter((origin) => origin !== "");
  if (origins.length > 0) {
    rules.origins = origins;
  }
  if (flag(def.httpNodeAuth)) {
    rules.basic = basicRule(httpNodeAuth);
  }
  return Object.keys(rules).length > 0 ? rules : undefined;
}

/** Checks passwords as Node-RED does for `httpNodeAuth`: a bcrypt hash, or a legacy 32-digit MD5. */
function basicRule(setting: HttpNodeAuth): NonNullable<AccessRules["basic"]> {
  if (typeof setting !== "object" || setting === null || Array.isArray(setting) || typeof setting.user !== "string" || typeof setting.pass !== "string") {
    throw new SettingError("httpNodeAuth", typeof setting === "function" || Array.isArray(setting) ? "middleware" : "not set");
  }
  const hash = setting.pass;
  let verified: string | undefined;
  return {
    user: setting.user,
    check: (password) => {
      // Hashing is slow on purpose; a password that passed once is not hashed again (Node-RED does the same).
      if (verified !== undefined && verified === password) {
        return true;
      }
      const ok = hash.length === 32 ? createHash("md5").update(password, "utf8").digest("hex") === hash : bcrypt.compareSync(password, hash);
      if (ok) {
        verified = password;
      }
      return ok;
    },
  };
}
