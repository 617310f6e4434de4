/**
 * Which proxy, if any, a WebSocket URL should be reached through, from the
 * usual environment variables. The options are those of Node-RED's
 * `proxyOptions` setting, so the package agrees with Node-RED's own nodes.
 */
export interface ProxyOptions {
  /** `"legacy"`: only `http_proxy` and a substring match on `no_proxy`, as Node-RED before 4.0. */
  mode?: "strict" | "legacy";
  /** Read only the lower-case names (`http_proxy`, not `HTTP_PROXY`). */
  lowerCaseOnly?: boolean;
  /** Prefer the upper-case name when both are set. */
  favourUpperCase?: boolean;
  /** Ignore the `npm_config_*` variables npm sets for scripts it runs. */
  excludeNpm?: boolean;
}

export type Environment = Readonly<Record<string, string | undefined>>;

const DEFAULT_PORTS: Readonly<Record<string, number>> = { "ws:": 80, "wss:": 443, "http:": 80, "https:": 443 };

/**
 * The proxy URL for `target`, or `undefined` to connect directly.
 *
 * A ws:// URL is looked up as `ws_proxy`, then `http_proxy`; a wss:// URL as
 * `wss_proxy`, then `https_proxy`; both then fall back to `all_proxy`.
 * `no_proxy` lists hosts (`example.com`, `.example.com`, `*.example.com`,
 * `host:port`, or `*` for all) that are reached directly. A proxy given
 * without a scheme is taken as `http://`.
 */
export function proxyForUrl(target: URL, env: Environment, options: ProxyOptions = {}): string | undefined {
  const read = (name: string): string => readVariable(env, name, options);
  const mode = read("NR_PROXY_MODE") || options.mode;
  if (mode === "legacy") {
    return legacyProxyForUrl(target, read);
  }
  const port = Number(target.port) || DEFAULT_PORTS[target.protocol] || 0;
  if (!shouldProxy(target.hostname, port, read("no_proxy") || read("npm_config_no_proxy"))) {
    return undefined;
  }
  const secure = target.protocol === "wss:" || target.protocol === "https:";
  const names = secure ? ["wss_proxy", "https_proxy"] : ["ws_proxy", "http_proxy"];
  const proxy =
    names.map(read).find(Boolean) ||
    read(secure ? "npm_config_https_proxy" : "npm_config_http_proxy") ||
    read("npm_config_proxy") ||
    read("all_proxy");
  if (!proxy) {
    return undefined;
  }
  return proxy.includes("://") ? proxy : `http://${proxy}`;
}

function readVariable(env: Environment, name: string, options: ProxyOptions): string {
  if (options.excludeNpm && name.startsWith("npm_config_")) {
    return "";
  }
  const lower = env[name.toLowerCase()];
  const upper = env[name.toUpperCase()];
  if (options.lowerCaseOnly) {
    return lower ?? "";
  }
  return (options.favourUpperCase ? upper || lower : lower || upper) ?? "";
}

function legacyProxyForUrl(target: URL, read: (name: string) => string): string | undefined {
  const proxy = read("http_proxy");
  const excluded = read("no_proxy")
    .split(",")
    .map((entry) => entry.trim())
    .some((entry) => entry !== "" && target.href.includes(entry));
  return proxy && !excluded ? proxy : undefined;
}

/** Whether `no_proxy` lets `hostname:port` go through the proxy. */
function shouldProxy(hostname: string, port: number, noProxy: string): boolean {
  if (noProxy === "") {
    return true;
  }
  if (noProxy.trim() === "*") {
    return false;
  }
  const host = hostname.toLowerCase();
  return noProxy
    .toLowerCase()
    .split(/[,\s]+/)
    .filter(Boolean)
    .every((entry) => !matchesNoProxyEntry(host, port, entry));
}

function matchesNoProxyEntry(host: string, port: number, entry: string): boolean {
  const withPort = /^(.+):(\d+)$/.exec(entry);
  const entryHost = withPort ? withPort[1]! : entry;
  if (withPort && Number(withPort[2]) !== port) {
    return false;
  }
  if (entryHost.startsWith("*.") || entryHost.startsWith(".")) {
    const suffix = entryHost.slice(entryHost.indexOf("."));
    return host.endsWith(suffix) || host === suffix.slice(1);
  }
  return host === entryHost;
}
