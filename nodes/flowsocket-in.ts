import type { Node, NodeAPI } from "node-red";
import { useEndpoint, type EndpointUserDef } from "./adapters/use-endpoint";

/** `flowsocket-in`: one message per frame received on its listener or client connection. */
export function registerIn(RED: NodeAPI): void {
  function FlowsocketInNode(this: Node, def: EndpointUserDef): void {
    RED.nodes.createNode(this, def);
    useEndpoint(RED, this, def, (msg) => this.send(msg));
  }
  RED.nodes.registerType("flowsocket-in", FlowsocketInNode);
}
