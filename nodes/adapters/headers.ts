/**
 * One handshake header as core's websocket-client node stores it, so core
 * flows keep their headers: `keyType` is "other" (the name is in `keyValue`)
 * or a preset header name; `valueType` is "other" (a literal in
 * `valueValue`), "env" (an environment variable named by `valueValue`), a
 * preset value, or (ours) "cred": the value is a credential, kept in the
 * node's `headerSecrets` by header name, never in the flow.
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
 *
 * @param secrets credential header values by lower-case header name.
 */
export function resolveHeaders(settings: unknown, resolveEnv: EnvResolver, secrets: Readonly<Record<string, string>> = {}): Record<string, string> {
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
      case "cred":
        value = name ? secrets[name.trim().toLowerCase()] : undefined;
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

/**
 * The `headerSecrets` credential: a JSON object of header values by name,
 * stored by Node-RED apart from the flow. Names are matched without case.
 */
export function parseHeaderSecrets(credential: string | undefined): Record<string, string> {
  if (!credential) {
    return {};
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(credential);
  } catch {
    return {};
  }
  const secrets: Record<string, string> = {};
  if (parsed && typeof parsed === "object" && !Array.isArray(parsed)) {
    for (const [name, value] of Object.entries(parsed as Record<string, unknown>)) {
      if (typeof value === "string") {
        secrets[name.toLowerCase()] = value;
      }
    }
  }
  return secrets;
}
