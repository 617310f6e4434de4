import type { Node, NodeAPI, NodeDef } from "node-red";
import type { EndpointConfigNode } from "./adapters/endpoint-config";
import { EndpointHub, type EndpointUser } from "./adapters/endpoint-hub";
import { resolveHeaders, type HeaderSetting } from "./adapters/headers";
import { ClientConnection, parseWebSocketUrl, type ClientTlsOptions } from "./transport/client-connection";
import { toError } from "./transport/errors";
import { parseProtocolList } from "./transport/protocols";
import { proxyForUrl, type ProxyOptions } from "./transport/proxy";

interface ClientDef extends NodeDef {
  path?: string;
  wholemsg?: string;
  hb?: string;
  subprotocol?: string;
  tls?: string;
  headers?: HeaderSetting[];
}

/** Core's `tls-config` node, as far as this package uses it. */
interface TlsConfigNode extends Node {
  addTLSOptions(options: ClientTlsOptions): void;
}

type ClientNode = Node & { -readonly [K in keyof EndpointConfigNode]: EndpointConfigNode[K] };

/** `flowsocket-client`: a connection to a ws:// or wss:// URL, kept up while nodes use it. */
export function registerClient(RED: NodeAPI): void {
  function FlowsocketClientNode(this: ClientNode, def: ClientDef): void {
    RED.nodes.createNode(this, def);
    const node = this;
    node.listening = false;
    node.wholemsg = def.wholemsg === "true";
    node.target = (def.path ?? "").trim();

    // Log a failing connection once, not at every retry, until it changes or connects.
    let lastFailure: string | undefined;
    node.hub = new EndpointHub(node.wholemsg, (error, session) => {
      const key = session ? "flowsocket.errors.connection-lost" : "flowsocket.errors.connect-failed";
      if (session || error.message !== lastFailure) {
        node.error(RED._(key, { url: node.target, error: error.message }));
      }
      lastFailure = session ? undefined : error.message;
    });
    node.hub.attach({
      onState: (state) => {
        if (state.event === "connect") {
          lastFailure = undefined;
        }
      },
    });

    let connection: ClientConnection | undefined;
    node.use = (user: EndpointUser) => {
      node.hub.attach(user);
      connection?.start();
    };
    try {
      connection = new ClientConnection(
        {
          url: node.target,
          protocols: parseProtocolList(def.subprotocol),
          headers: resolveHeaders(def.headers, (name) => RED.util.evaluateNodeProperty(name, "env", node, {})),
          tls: tlsOptions(def.tls),
          proxy: proxyForUrl(
            parseWebSocketUrl(node.target),
            process.env,
            (RED.settings as { proxyOptions?: ProxyOptions }).proxyOptions,
          ),
          heartbeatMs: heartbeatMs(def.hb),
        },
        node.hub,
      );
    } catch (error) {
      node.error(toError(error).message);
      node.hub.fail("error");
      return;
    }
    node.hub.channel = connection;
    node.on("close", (_removed: boolean, done: () => void) => {
      void connection.close().then(done, done);
    });
  }

  /** TLS options from the `tls-config` node, for wss:// URLs. */
  function tlsOptions(id: string | undefined): ClientTlsOptions | undefined {
    if (!id) {
      return undefined;
    }
    const tlsNode = RED.nodes.getNode(id) as TlsConfigNode | null;
    if (!tlsNode || typeof tlsNode.addTLSOptions !== "function") {
      throw new Error(RED._("flowsocket.errors.missing-tls", { id }));
    }
    const options: ClientTlsOptions = {};
    tlsNode.addTLSOptions(options);
    return options;
  }

  RED.nodes.registerType("flowsocket-client", FlowsocketClientNode);
}

/** The `hb` setting (seconds, as a string in core's flows) in milliseconds; 0 when off. */
function heartbeatMs(setting: string | undefined): number {
  const seconds = Number.parseFloat(setting ?? "");
  return Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : 0;
}
