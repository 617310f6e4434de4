import http from "node:http";
import https from "node:https";
import { isIP, type Socket } from "node:net";
import tls from "node:tls";
import type { Duplex } from "node:stream";
import { ConnectError } from "./connect-failure";

/** What `http.request` passes to a `createConnection` function, as `ws` fills it in. */
type ConnectOptions = http.ClientRequestArgs & tls.ConnectionOptions;
type OnCreate = (error: Error | null, socket?: Duplex) => void;

/**
 * A `createConnection` function for `ws` that reaches the WebSocket server
 * through an HTTP proxy's CONNECT tunnel, then, for wss://, starts TLS to the
 * server inside the tunnel with the client's own TLS options.
 *
 * `http.request` accepts the socket through the callback (as
 * `agent.createConnection` does), so the tunnel can be opened asynchronously
 * without an `http.Agent` of our own. A proxy that does not answer within
 * `timeoutMs` fails the attempt, and its connection is closed.
 */
export function tunnelThrough(proxy: URL, secure: boolean, timeoutMs: number) {
  return (options: ConnectOptions, onCreate: OnCreate): undefined => {
    const host = options.host ?? "localhost";
    const port = Number(options.port);
    const authority = `${isIP(host) === 6 ? `[${host}]` : host}:${port}`;
    const headers: http.OutgoingHttpHeaders = { host: authority };
    if (proxy.username !== "") {
      const credentials = `${decodeURIComponent(proxy.username)}:${decodeURIComponent(proxy.password)}`;
      headers["proxy-authorization"] = `Basic ${Buffer.from(credentials).toString("base64")}`;
    }
    const request = (proxy.protocol === "https:" ? https : http).request({
      method: "CONNECT",
      host: proxy.hostname.replace(/^\[|\]$/g, ""),
      port: Number(proxy.port) || (proxy.protocol === "https:" ? 443 : 80),
      path: authority,
      headers,
      timeout: timeoutMs,
    });
    request.once("timeout", () => request.destroy(new ConnectError("timeout", `Proxy ${proxy.host} did not answer within ${timeoutMs} ms`)));
    request.once("connect", (response: http.IncomingMessage, socket: Socket) => {
      if (response.statusCode !== 200) {
        socket.destroy();
        const detail = `Proxy ${proxy.host} refused the tunnel: ${response.statusCode} ${response.statusMessage}`;
        onCreate(new ConnectError("proxy", detail, response.statusCode));
        return;
      }
      if (!secure) {
        onCreate(null, socket);
        return;
      }
      const servername = options.servername ?? (isIP(host) ? undefined : host);
      onCreate(null, tls.connect({ ...options, host, port, servername, socket }));
    });
    request.once("error", (error) => onCreate(error));
    request.end();
    return undefined;
  };
}
