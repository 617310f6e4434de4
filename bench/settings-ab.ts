/**
 * The two sides of a settings A/B (`--settings-ab`): ours, from the working
 * tree both times, with its listeners' limits, high-water mark and
 * authentication at their defaults, and with them off. Issue 10 holds the
 * defaults to at most 3% of the echo and broadcast figures against off.
 */
import type { ListenerSetup } from "./flows";
import { RawClient } from "./raw-client";

/** The token the "defaults" side's listeners ask for. Not a secret: the run is on 127.0.0.1 only. */
const BENCH_TOKEN = "flowsocket-bench-token";

/** One side: what ours' listeners get, and what the load generator's handshakes send to pass them. */
export interface SettingsSide {
  listeners: ListenerSetup;
  headers?: Record<string, string>;
}

/**
 * The defaults as a listener has them when none is set (16 MiB messages,
 * `ws`'s fragment limit, no session or rate limit, a 1 MiB high-water mark
 * with its messages dropped past it), and a token check on: the token in the
 * listener's credentials, which clients send where they do by default,
 * `Authorization: Bearer`.
 */
export const DEFAULTS: SettingsSide = {
  listeners: { settings: {}, credentials: { token: BENCH_TOKEN } },
  headers: { Authorization: `Bearer ${BENCH_TOKEN}` },
};

/**
 * Off, as far as the settings go: the largest message `ws` takes by itself
 * (100 MiB, core's limit), a high-water mark no socket reaches (the largest
 * the setting takes, 2^31 - 1 bytes), and no token. The session, rate and
 * fragment limits are off by default already.
 */
export const OFF: SettingsSide = {
  listeners: { settings: { maxPayload: String(100 * 1024 * 1024), highWaterMark: String(2 ** 31 - 1) } },
};

/**
 * Resolves if the listener at `url` refuses a handshake without the token
 * (401); rejects otherwise. A token that did not reach the listener's
 * credentials would leave the check off and the two sides alike.
 */
export async function expectTokenAsked(url: string): Promise<void> {
  const outcome = await RawClient.open(url).then(
    async (client) => {
      await client.close();
      return "accepted";
    },
    (error: Error) => error.message,
  );
  if (!outcome.includes(" 401 ")) {
    throw new Error(`--settings-ab: ${url} should refuse a client without the token with 401; it answered: ${outcome}`);
  }
}
