import { DEFAULT_HIGH_WATER_MARK, DEFAULT_MAX_PAYLOAD, type BackpressurePolicy, type SessionLimits } from "../transport/limits";
import { flag, numberSetting, optionalNumberSetting, SettingError } from "./parse";

/** The limit settings of a listener (and, where they apply, a client), as saved: numbers as strings or numbers. */
export interface LimitSettingsDef {
  /** Bytes. */
  maxPayload?: string | number;
  maxFragments?: string | number;
  maxSessions?: string | number;
  /** Messages a second per session, and the burst above it. */
  rateLimit?: string | number;
  rateBurst?: string | number;
  /** Bytes queued for a slow session before the policy applies. */
  highWaterMark?: string | number;
  backpressure?: string;
}

export interface LimitSettings {
  maxPayload: number;
  maxFragments: number | undefined;
  maxSessions: number | undefined;
  limits: SessionLimits;
}

/** The largest a limit can be and still mean one: 2^31 - 1 (bytes, fragments, sessions). */
const MAX = 2 ** 31 - 1;

/**
 * Reads and checks the limits. Absent ones take the defaults, which hold on
 * an open network: 16 MiB messages, `ws`'s own fragment limit, no session or
 * rate limit, 1 MiB queued for a slow session before its messages are dropped.
 *
 * @throws SettingError for a value out of range or an unknown policy.
 */
export function limitSettings(def: LimitSettingsDef): LimitSettings {
  const optional = (name: "maxFragments" | "maxSessions" | "rateLimit"): number | undefined => {
    const value = optionalNumberSetting(def, name, 1, MAX);
    return value === undefined ? undefined : Math.floor(value);
  };
  const perSecond = optional("rateLimit");
  const backpressure = def.backpressure === undefined || def.backpressure === "" ? "drop" : def.backpressure;
  if (backpressure !== "drop" && backpressure !== "close") {
    throw new SettingError("backpressure", backpressure);
  }
  const limits: { rate?: { perSecond: number; burst: number }; highWaterMark: number; backpressure: BackpressurePolicy } = {
    highWaterMark: Math.floor(numberSetting(def, "highWaterMark", DEFAULT_HIGH_WATER_MARK, 1, MAX)),
    backpressure,
  };
  if (perSecond !== undefined) {
    // A second's worth of messages may come at once, unless a burst is set.
    limits.rate = { perSecond, burst: Math.floor(numberSetting(def, "rateBurst", perSecond, 1, MAX)) };
  }
  return {
    maxPayload: Math.floor(numberSetting(def, "maxPayload", DEFAULT_MAX_PAYLOAD, 1, MAX)),
    maxFragments: optional("maxFragments"),
    maxSessions: optional("maxSessions"),
    limits,
  };
}

/** Compression as saved on either config node: on or off, and the smallest message it compresses. */
export interface CompressionSettingsDef {
  compression?: boolean | string;
  /** Bytes; messages smaller than this go uncompressed (default 1024). */
  compressionThreshold?: string | number;
}

/** permessage-deflate's settings, or undefined when it is off (the default). */
export function compressionSettings(def: CompressionSettingsDef): { threshold: number } | undefined {
  return flag(def.compression) ? { threshold: Math.floor(numberSetting(def, "compressionThreshold", 1024, 0, MAX)) } : undefined;
}
