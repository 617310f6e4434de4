import type { Node, NodeAPI, NodeDef } from "node-red";
import type { ServerOptions } from "ws";
import type { EndpointConfigNode } from "./adapters/endpoint-config";
import { EndpointHub, type EndpointUser } from "./adapters/endpoint-hub";
import type { UpgradeRouters } from "./adapters/upgrade-routers";
import { toError } from "./transport/errors";
import { listenerPath } from "./transport/paths";
import { parseProtocolList } from "./transport/protocols";
import { ServerEndpoint } from "./transport/server-endpoint";

interface ListenerDef extends NodeDef {
  path?: string;
  wholemsg?: string;
  subprotocol?: string;
}

type ListenerNode = Node & { -readonly [K in keyof EndpointConfigNode]: EndpointConfigNode[K] };

/** `flowsocket-listener`: a WebSocket endpoint on a path of Node-RED's own HTTP server. */
export function registerListener(RED: NodeAPI, routers: UpgradeRouters): void {
  function FlowsocketListenerNode(this: ListenerNode, def: ListenerDef): void {
    RED.nodes.createNode(this, def);
    const node = this;
    node.listening = true;
    node.wholemsg = def.wholemsg === "true";
    node.target = def.path ?? "";
    node.hub = new EndpointHub(
      node.wholemsg,
      (error, session) => node.warn(RED._("flowsocket.errors.session-error", { id: session?.id ?? "", error: error.message })),
      { event: "disconnect", count: 0 },
    );
    node.use = (user: EndpointUser) => node.hub.attach(user);

    const server = RED.server;
    if (!server) {
      node.error(RED._("flowsocket.errors.no-http-server", { path: node.target }));
      node.hub.fail("error");
      return;
    }
    try {
      // Node-RED serves its HTTP nodes under httpNodeRoot; core's listener uses "/" when it is off.
      node.target = listenerPath(String(RED.settings.httpNodeRoot || "/"), node.target);
    } catch (error) {
      node.error(toError(error).message);
      node.hub.fail("error");
      return;
    }
    const fullPath = node.target;
    if (coreListenerServes(fullPath)) {
      // Core's listener answers upgrades for its path too; two answers to one request break it.
      node.error(RED._("flowsocket.errors.core-path", { path: fullPath }));
      node.hub.fail("path-in-use");
      return;
    }
    const endpoint = new ServerEndpoint(node.hub, {
      protocols: parseProtocolList(def.subprotocol),
      verifyClient: (RED.settings as { webSocketNodeVerifyClient?: ServerOptions["verifyClient"] }).webSocketNodeVerifyClient,
    });
    const router = routers.for(server);
    try {
      router.add(fullPath, endpoint);
    } catch {
      node.error(RED._("flowsocket.errors.duplicate-path", { path: fullPath }));
      node.hub.fail("path-in-use");
      return;
    }
    node.hub.channel = endpoint;
    node.on("close", (_removed: boolean, done: () => void) => {
      router.remove(fullPath, endpoint);
      void endpoint.close().then(done, done);
    });
  }
  /** Whether a core `websocket-listener` in the flows listens on `fullPath`. */
  function coreListenerServes(fullPath: string): boolean {
    const root = String(RED.settings.httpNodeRoot || "/");
    let found = false;
    RED.nodes.eachNode((other: NodeDef & { path?: unknown }) => {
      if (found || other.type !== "websocket-listener" || typeof other.path !== "string") {
        return;
      }
      try {
        found = listenerPath(root, other.path) === fullPath;
      } catch {
        // A core listener with a path core itself cannot serve is no rival.
      }
    });
    return found;
  }

  RED.nodes.registerType("flowsocket-listener", FlowsocketListenerNode);
}
