import type { Node, NodeAPI } from "node-red";
import type { StatusTexts } from "./adapters/status";
import { useEndpoint, type EndpointUserDef } from "./adapters/use-endpoint";
import { flag } from "./settings/parse";

interface InDef extends EndpointUserDef {
  /** Also emit connect, disconnect and error events as messages. */
  events?: boolean | string;
  /** Session details in `msg._session`, and `msg.receivedAt`. */
  metadata?: boolean | string;
}

/** `flowsocket-in`: one message per frame received on its listener or client connection, and optionally per lifecycle event. */
export function registerIn(RED: NodeAPI, texts: StatusTexts): void {
  function FlowsocketInNode(this: Node, def: InDef): void {
    RED.nodes.createNode(this, def);
    const delivery = { events: flag(def.events), metadata: flag(def.metadata) };
    useEndpoint(RED, texts, this, def, { onMessage: (msg) => this.send(msg), delivery });
  }
  RED.nodes.registerType("flowsocket-in", FlowsocketInNode);
}
