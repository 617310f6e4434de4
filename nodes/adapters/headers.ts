/**
 * One handshake header as core's websocket-client node stores it, so core
 * flows keep their headers: `keyType` is "other" (the name is in `keyValue`)
 * or a preset header name; `valueType` is "other" (a literal in
 * `valueValue`), "env" (an environment variable named by `valueValue`) or a
 * preset value.
 */
export interface HeaderSetting {
  keyType?: string;
  keyValue?: string;
  valueType?: string;
  valueValue?: string;
}

/** Resolves an environment variable as Node-RED does for the node (flow and group `env` included). */
export type EnvResolver = (name: string) => unknown;

/**
 * Turns the `headers` setting into handshake headers. Entries with no name or
 * an empty value are skipped, as core does.
 */
export function resolveHeaders(settings: unknown, resolveEnv: EnvResolver): Record<string, string> {
  const headers: Record<string, string> = {};
  if (!Array.isArray(settings)) {
    return headers;
  }
  for (const setting of settings as HeaderSetting[]) {
    const name = setting.keyType === "other" ? setting.keyValue : setting.keyType;
    let value: unknown;
    switch (setting.valueType) {
      case "other":
        value = setting.valueValue;
        break;
      case "env":
        value = resolveEnv(setting.valueValue ?? "");
        break;
      default:
        value = setting.valueType;
    }
    if (name && value !== undefined && value !== null && value !== "") {
      headers[name.trim()] = String(value);
    }
  }
  return headers;
}
