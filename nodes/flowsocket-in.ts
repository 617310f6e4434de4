import type { Node, NodeAPI } from "node-red";
import type { StatusTexts } from "./adapters/status";
import { useEndpoint, type EndpointUserDef } from "./adapters/use-endpoint";

/** `flowsocket-in`: one message per frame received on its listener or client connection. */
export function registerIn(RED: NodeAPI, texts: StatusTexts): void {
  function FlowsocketInNode(this: Node, def: EndpointUserDef): void {
    RED.nodes.createNode(this, def);
    useEndpoint(RED, texts, this, def, (msg) => this.send(msg));
  }
  RED.nodes.registerType("flowsocket-in", FlowsocketInNode);
}
