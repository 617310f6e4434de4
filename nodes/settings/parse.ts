/**
 * Reading config node settings as the editor saves them. Core's flows store
 * numbers and flags as strings ("30", "true"), flows written by hand or by
 * the admin API may use real ones; both read the same here.
 */
import { isHttpToken } from "../transport/protocols";

/** A seconds setting (`hb`) in milliseconds; 0 when off, empty or not a positive number. */
export function secondsToMs(setting: unknown): number {
  const seconds = Number.parseFloat(String(setting ?? ""));
  return Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : 0;
}

/** A flag: true for `true` or `"true"`, false for anything else, absent included. */
export function flag(setting: unknown): boolean {
  return setting === true || setting === "true";
}

/**
 * A comma-separated list, each entry trimmed, without blanks: the
 * `subprotocol` setting, as core's client node reads it. Anything but a
 * string is an empty list.
 */
export function commaList(setting: unknown): string[] {
  if (typeof setting !== "string") {
    return [];
  }
  return setting
    .split(",")
    .map((entry) => entry.trim())
    .filter((entry) => entry !== "");
}

/** A comma-separated list, lower-cased: header names and origins, which compare so. A list written by hand as an array reads as its entries. */
export function lowerCaseList(setting: unknown): string[] {
  return commaList(String(setting ?? "")).map((entry) => entry.toLowerCase());
}

/** A comma-separated list of header names, lower-cased, without blanks, repeats or names no header can have. */
export function headerNames(setting: unknown): string[] {
  return [...new Set(lowerCaseList(setting).filter((name) => isHttpToken(name)))];
}

/** One of `choices`; the first (the default) when absent or unknown. */
export function oneOf<T extends string>(setting: unknown, choices: readonly T[]): T {
  return choices.includes(setting as T) ? (setting as T) : choices[0]!;
}

/** A setting that is not what it must be: `setting` names it, `value` is what it held. */
export class SettingError extends Error {
  constructor(
    readonly setting: string,
    readonly value: string,
  ) {
    super(`${setting}: ${value}`);
    this.name = "SettingError";
  }
}

/**
 * A number setting within [min, max]; undefined when absent or empty, for a
 * setting whose absence means "off" or a default that is not a number.
 *
 * @throws SettingError for anything else.
 */
export function optionalNumberSetting<K extends string>(def: Partial<Record<K, unknown>>, name: K, min: number, max: number): number | undefined {
  const raw = def[name];
  if (raw === undefined || raw === null || raw === "") {
    return undefined;
  }
  const value = Number(raw);
  if (!Number.isFinite(value) || value < min || value > max) {
    throw new SettingError(name, String(raw));
  }
  return value;
}

/**
 * A number setting within [min, max]; `fallback` when absent or empty.
 *
 * @throws SettingError for anything else.
 */
export function numberSetting<K extends string>(def: Partial<Record<K, unknown>>, name: K, fallback: number, min: number, max: number): number {
  return optionalNumberSetting(def, name, min, max) ?? fallback;
}
