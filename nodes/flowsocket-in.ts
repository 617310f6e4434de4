import type { Node, NodeAPI } from "node-red";
import type { ReceiveFormat } from "./adapters/messages";
import type { StatusTexts } from "./adapters/status";
import { useEndpoint, type EndpointUserDef } from "./adapters/use-endpoint";
import { flag, oneOf } from "./settings/parse";

interface InDef extends EndpointUserDef {
  /** Also emit connect, disconnect and error events as messages. */
  events?: boolean | string;
  /** Session details in `msg._session`, and `msg.receivedAt`. */
  metadata?: boolean | string;
  /** What the payload is in payload mode. */
  format?: string;
  /** The node's output wires, as saved. */
  wires?: string[][];
}

const FORMATS: readonly ReceiveFormat[] = ["auto", "string", "buffer", "json"];

/** `flowsocket-in`: one message per frame received on its listener or client connection, and optionally per lifecycle event. */
export function registerIn(RED: NodeAPI, texts: StatusTexts): void {
  function FlowsocketInNode(this: Node, def: InDef): void {
    RED.nodes.createNode(this, def);
    const node = this;
    const delivery = { events: flag(def.events), metadata: flag(def.metadata), format: oneOf(def.format, FORMATS) };
    // With no wires, messages would be built for nobody: such a node only
    // shows its endpoint's status, unless its format can fail on a frame (a
    // Catch node still hears of that).
    const wired = (def.wires ?? []).some((output) => output.length > 0);
    useEndpoint(
      RED,
      texts,
      node,
      def,
      wired || delivery.format === "json"
        ? {
            onMessage: (msg) => node.send(msg),
            // The raw text goes with the error, so a Catch node has all there was.
            onInvalid: (error) => node.error(RED._("flowsocket.errors.not-json"), error.msg),
            delivery,
          }
        : undefined,
    );
  }
  RED.nodes.registerType("flowsocket-in", FlowsocketInNode);
}
