import type { Node, NodeAPI, NodeDef } from "node-red";
import type { MessageObject } from "../transport/codec";
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
 * step with the endpoint and, for in nodes, delivers messages. Reports a
 * missing config node on the node and returns undefined.
 */
export function useEndpoint(
  RED: NodeAPI,
  texts: StatusTexts,
  node: Node,
  def: EndpointUserDef,
  onMessage?: (msg: MessageObject) => void,
): EndpointConfigNode | undefined {
  // As in core, a client setting wins over a server one.
  const id = def.client || def.server;
  const config = id ? RED.nodes.getNode(id) : null;
  if (!isEndpointConfigNode(config)) {
    node.error(RED._("flowsocket.errors.missing-config"));
    node.status({ fill: "red", shape: "ring", text: texts.text("no-config") });
    return undefined;
  }
  const user: EndpointUser = {
    onState: (state) => node.status(statusOf(state, config.listening, texts)),
  };
  if (onMessage) {
    user.onMessage = onMessage;
  }
  config.use(user);
  node.on("close", (_removed: boolean, done: () => void) => {
    config.hub.detach(user);
    node.status({});
    done();
  });
  return config;
}
