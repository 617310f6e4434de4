import type { Node, NodeAPI, NodeDef } from "node-red";
import type { EndpointConfigNode } from "./adapters/endpoint-config";
import { EndpointHub, type EndpointUser } from "./adapters/endpoint-hub";
import { warningDigest } from "./adapters/log-digest";
import { tlsConfigOptions } from "./adapters/tls";
import { parseHeaderSecrets, resolveHeaders, type HeaderSetting } from "./adapters/headers";
import { clientSettings, type ClientSettingsDef } from "./settings/client-settings";
import { compressionSettings, limitSettings, type CompressionSettingsDef, type LimitSettingsDef } from "./settings/limit-settings";
import { ClientConnection, type ConnectOverrides } from "./transport/client-connection";
import { ConnectError } from "./transport/connect-failure";
import { commaList, SettingError, secondsToMs } from "./settings/parse";
import { FlowsocketError, toError } from "./transport/errors";
import { proxyForUrl, type ProxyOptions } from "./transport/proxy";

interface ClientDef extends NodeDef, ClientSettingsDef, CompressionSettingsDef, Pick<LimitSettingsDef, "maxPayload" | "highWaterMark" | "backpressure"> {
  path?: string;
  wholemsg?: string;
  hb?: string;
  subprotocol?: string;
  tls?: string;
  headers?: HeaderSetting[];
}

/** The client's credentials: secret handshake header values. */
interface ClientCredentials {
  headerSecrets?: string;
}

type ClientNode = Node<ClientCredentials> & { -readonly [K in keyof EndpointConfigNode]: EndpointConfigNode[K] };

/** `flowsocket-client`: a connection to a ws:// or wss:// URL, kept up while nodes use it. */
export function registerClient(RED: NodeAPI): void {
  function FlowsocketClientNode(this: ClientNode, def: ClientDef): void {
    RED.nodes.createNode(this, def);
    const node = this;
    node.listening = false;
    node.problem = undefined;
    node.connection = undefined;
    node.wholemsg = def.wholemsg === "true";
    node.target = (def.path ?? "").trim();

    // Log a failing connection once, not at every retry, until it changes or connects.
    let lastFailure: string | undefined;
    node.hub = new EndpointHub(node.wholemsg, (error, session) => {
      if (session) {
        node.error(RED._("flowsocket.errors.connection-lost", { url: node.target, error: error.message }));
      } else if (error.message !== lastFailure) {
        node.error(describeConnectError(error, node.target));
      }
      lastFailure = session ? undefined : error.message;
    });
    // A long outage drops one queued message per send once the queue is full: one line a minute says how many.
    const digest = warningDigest(node, RED._);
    node.hub.reportQueueDrop = (reason, count) => digest.add(`queue-${reason}`, RED._(`flowsocket.errors.queue-${reason}`, { count }));
    node.hub.attach({
      onState: (state) => {
        if (state.event === "connect") {
          lastFailure = undefined;
        }
      },
    });

    let connection: ClientConnection | undefined;
    let autoConnect = true;
    node.use = (user: EndpointUser) => {
      node.hub.attach(user);
      if (autoConnect) {
        connection?.start();
      }
    };
    const resolveEnv = (name: string): unknown => RED.util.evaluateNodeProperty(name, "env", node, {});
    const secrets = parseHeaderSecrets(node.credentials?.headerSecrets);
    try {
      const settings = clientSettings(def, resolveEnv);
      // Of the limits, those that apply to one connection, picked out: a
      // client saved by hand or through the admin API with a session count
      // or a rate must not get them.
      const { maxPayload, limits } = limitSettings({ maxPayload: def.maxPayload, highWaterMark: def.highWaterMark, backpressure: def.backpressure });
      autoConnect = settings.autoConnect;
      connection = new ClientConnection(
        {
          url: node.target,
          protocols: commaList(def.subprotocol),
          headers: resolveHeaders(def.headers, resolveEnv, secrets),
          origin: settings.origin,
          tls: def.tls ? tlsConfigOptions(RED, def.tls) : undefined,
          proxy: (url) => proxyForUrl(url, process.env, (RED.settings as { proxyOptions?: ProxyOptions }).proxyOptions),
          heartbeatMs: secondsToMs(def.hb),
          handshakeTimeoutMs: settings.connectTimeoutMs,
          reconnect: settings.reconnect,
          firstFrame: settings.firstFrame,
          maxPayload,
          limits,
          compression: compressionSettings(def),
          queue: settings.queue,
        },
        node.hub,
      );
    } catch (error) {
      const unset = unsetVariable(node.target);
      const code = error instanceof FlowsocketError ? error.code : undefined;
      node.problem = unset
        ? RED._("flowsocket.errors.env-unset", { name: unset })
        : error instanceof SettingError
          ? RED._("flowsocket.errors.bad-setting", { setting: error.setting, value: error.value })
          : RED._("flowsocket.errors.bad-client", { error: toError(error).message });
      node.error(node.problem);
      node.hub.fail(unset ? "env-unset" : code === "FLOWSOCKET_ERR_INVALID_URL" ? "invalid-url" : "bad-settings");
      return;
    }
    node.hub.channel = connection;
    const live = connection;
    node.connection = {
      connect: ({ url, headers, subprotocol, force }) => {
        const overrides: ConnectOverrides = {};
        if (url !== undefined) {
          overrides.url = url;
        }
        if (headers !== undefined) {
          overrides.headers = resolveHeaders(headers, resolveEnv, secrets);
        }
        if (subprotocol !== undefined) {
          overrides.protocols = commaList(subprotocol);
        }
        return live.connectNow(overrides, force);
      },
      disconnect: () => live.disconnect(),
    };
    if (!autoConnect) {
      node.hub.onState("idle", {});
    }
    node.on("close", (_removed: boolean, done: () => void) => {
      node.hub.stopping();
      void connection.stop().then(() => {
        digest.flush();
        done();
      }, done);
    });
  }

  /** The log line for a failed connection attempt: what failed, in words, then what the system said. */
  function describeConnectError(error: Error, url: string): string {
    if (!(error instanceof ConnectError)) {
      return RED._("flowsocket.errors.connect-failed", { url, error: error.message });
    }
    const reason = RED._(`flowsocket.errors.connect.${error.failure}`, {
      path: pathOf(url),
      status: error.status ?? "",
    });
    return RED._("flowsocket.errors.connect-failed", { url, error: `${reason} (${error.detail})` });
  }

  // Secret header values are credentials (a JSON object by header name), kept in flows_cred.json, never in the flow.
  RED.nodes.registerType<ClientNode, ClientDef, unknown, ClientCredentials>("flowsocket-client", FlowsocketClientNode, {
    credentials: { headerSecrets: { type: "text" } },
  });
}

/**
 * The environment variable a URL setting names, when Node-RED left it as it
 * was: it replaces `${NAME}` (and the older `$(NAME)`) only when the variable
 * is set and the reference is the whole value.
 */
function unsetVariable(url: string): string | undefined {
  return /^\$(?:\{([^}]+)\}|\((\S+)\))$/.exec(url)?.slice(1).find((name) => name !== undefined);
}

/** The path of a URL, for messages; the URL itself when it cannot be parsed. */
function pathOf(url: string): string {
  try {
    return new URL(url).pathname;
  } catch {
    return url;
  }
}
