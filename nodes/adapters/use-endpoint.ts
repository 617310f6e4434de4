import type { Node, NodeAPI, NodeDef } from "node-red";
import { isEndpointConfigNode, type EndpointConfigNode } from "./endpoint-config";
import type { EndpointUser } from "./endpoint-hub";
import { statusOf, type StatusTexts } from "./status";

/** The properties in and out nodes share with core's: one of the two config node ids. */
export interface EndpointUserDef extends NodeDef {
  server?: string;
  client?: string;
}

/**
 * Connects an in or out node to its config node: keeps the node's status in
 * step with the endpoint and, for in nodes, delivers messages as `receiver` asks. Reports a
 * missing config node on the node and returns undefined.
 */
export function useEndpoint(
  RED: NodeAPI,
  texts: StatusTexts,
  node: Node,
  def: EndpointUserDef,
  receiver?: Pick<EndpointUser, "onMessage" | "delivery" | "onInvalid">,
): EndpointConfigNode | undefined {
  // As in core, a client setting wins over a server one.
  const id = def.client || def.server;
  const config = id ? RED.nodes.getNode(id) : null;
  if (!isEndpointConfigNode(config)) {
    node.error(RED._("flowsocket.errors.missing-config"));
    node.status({ fill: "red", shape: "ring", text: texts.text("no-config") });
    return undefined;
  }
  // A status the same as the one shown is not shown again: a Status node would see it as news.
  let shown = "";
  const user: EndpointUser = {
    ...receiver,
    onState: (state) => {
      const status = statusOf(state, config.listening, texts);
      const key = `${status.fill}|${status.shape}|${status.text}|${status.event ?? ""}|${status._session?.id ?? ""}`;
      if (key !== shown) {
        shown = key;
        node.status(status);
      }
    },
  };
  config.use(user);
  node.on("close", (_removed: boolean, done: () => void) => {
    // Node-RED stops flow nodes before config nodes, in one pass: staying
    // attached until that pass is over lets an in node hear its endpoint
    // stop (see EndpointHub.stopping).
    setImmediate(() => {
      config.hub.detach(user);
      node.status({});
      done();
    });
  });
  return config;
}
