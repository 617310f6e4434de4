import type { BackoffOptions } from "../transport/backoff";
import { DEFAULT_BACKOFF } from "../transport/backoff";
import { DEFAULT_HANDSHAKE_TIMEOUT_MS } from "../transport/client-connection";
import type { FrameData } from "../transport/codec";
import type { OutboxLimits } from "../transport/outbox";
import { MAX_TIMER_MS } from "../transport/heartbeat";
import { flag, numberSetting, optionalNumberSetting, SettingError } from "./parse";

/** The `flowsocket-client` settings beyond core's, as the editor saves them (strings, or real values from the admin API). */
export interface ClientSettingsDef {
  autoConnect?: boolean | string;
  /** Seconds allowed for one attempt. */
  connectTimeout?: string | number;
  /** Seconds before the first retry, the longest wait, growth per retry, spread (0-1), attempts before giving up (0: never). */
  reconnectDelay?: string | number;
  reconnectMax?: string | number;
  reconnectFactor?: string | number;
  reconnectJitter?: string | number;
  reconnectAttempts?: string | number;
  /** A message sent on every connect before anything else, as a TypedInput: `str`, `json` or `env`. */
  firstMessage?: string;
  firstMessageType?: string;
  origin?: string;
  /** Keep messages sent while the connection is down, up to a count, bytes and seconds. */
  queue?: boolean | string;
  queueSize?: string | number;
  queueBytes?: string | number;
  queueAge?: string | number;
}

export interface ClientSettings {
  autoConnect: boolean;
  connectTimeoutMs: number;
  reconnect: Required<BackoffOptions>;
  firstFrame: FrameData | undefined;
  origin: string | undefined;
  queue: OutboxLimits | undefined;
}

/**
 * Reads and checks the client's connection settings; an absent one takes
 * its default, which is today's behaviour (connect at once, 15 s per
 * attempt, retries after 0.5 s growing to 3 s, never giving up).
 *
 * @param resolveEnv reads an environment variable as Node-RED does for the node.
 * @throws SettingError for a value out of range, or a first message that is not valid JSON.
 */
export function clientSettings(def: ClientSettingsDef, resolveEnv: (name: string) => unknown): ClientSettings {
  return {
    autoConnect: def.autoConnect === undefined || def.autoConnect === "" ? true : flag(def.autoConnect),
    connectTimeoutMs: seconds(def, "connectTimeout", DEFAULT_HANDSHAKE_TIMEOUT_MS, 0.001),
    reconnect: {
      initialMs: seconds(def, "reconnectDelay", DEFAULT_BACKOFF.initialMs, 0),
      maxMs: seconds(def, "reconnectMax", DEFAULT_BACKOFF.maxMs, 0),
      factor: numberSetting(def, "reconnectFactor", DEFAULT_BACKOFF.factor, 1, 100),
      jitter: numberSetting(def, "reconnectJitter", DEFAULT_BACKOFF.jitter, 0, 1),
      maxAttempts: Math.floor(numberSetting(def, "reconnectAttempts", DEFAULT_BACKOFF.maxAttempts, 0, Number.MAX_SAFE_INTEGER)),
    },
    firstFrame: firstFrame(def, resolveEnv),
    origin: def.origin?.trim() || undefined,
    queue: flag(def.queue)
      ? {
          count: Math.floor(numberSetting(def, "queueSize", 100, 1, 1_000_000)),
          bytes: Math.floor(numberSetting(def, "queueBytes", 1024 * 1024, 1, 2 ** 31 - 1)),
          ageMs: seconds(def, "queueAge", 60_000, 0.001),
        }
      : undefined,
  };
}

/** A seconds setting in milliseconds, at least `minSeconds` and at most what a timer can wait. */
function seconds(def: ClientSettingsDef, name: keyof ClientSettingsDef, fallbackMs: number, minSeconds: number): number {
  const value = optionalNumberSetting(def, name, minSeconds, MAX_TIMER_MS / 1000);
  return value === undefined ? fallbackMs : Math.round(value * 1000);
}

function firstFrame(def: ClientSettingsDef, resolveEnv: (name: string) => unknown): FrameData | undefined {
  const value = def.firstMessage ?? "";
  if (value === "") {
    return undefined;
  }
  switch (def.firstMessageType) {
    case "json":
      try {
        JSON.parse(value);
      } catch {
        throw new SettingError("firstMessage", value);
      }
      return value;
    case "env": {
      const resolved = resolveEnv(value);
      if (resolved === undefined || resolved === null || resolved === "") {
        return undefined;
      }
      return typeof resolved === "string" ? resolved : JSON.stringify(resolved);
    }
    default:
      return value;
  }
}
