import type { Node } from "node-red";
import type { EndpointHub, EndpointUser } from "./endpoint-hub";

/**
 * What a `flowsocket-listener` or `flowsocket-client` config node offers the
 * in and out nodes that point at it.
 */
export interface EndpointConfigNode extends Node {
  /** True for a listener (many sessions), false for a client connection. */
  readonly listening: boolean;
  /** Whole-message mode: the entire message travels as JSON. */
  readonly wholemsg: boolean;
  /** The listener's full path or the client's URL, for messages. */
  readonly target: string;
  readonly hub: EndpointHub;
  /** Why the endpoint cannot work, when it cannot (a translated sentence): out nodes fail with it. */
  readonly problem: string | undefined;
  /** Starts serving `user`; a client connects when its first user arrives. */
  use(user: EndpointUser): void;
}

/** Whether a node found by id is one of our config nodes (and not, say, core's websocket-listener). */
export function isEndpointConfigNode(node: Node | null): node is EndpointConfigNode {
  return node !== null && typeof (node as Partial<EndpointConfigNode>).use === "function" && "hub" in node;
}
