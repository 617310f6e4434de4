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
  /** Starts serving `user`; a client connects when its first user arrives (unless it waits for a flow). */
  use(user: EndpointUser): void;
  /** A client's connection, for a flow's connect and disconnect actions; undefined on a listener. */
  readonly connection: ConnectionControl | undefined;
}

/** What a flow may do with a client's connection. */
export interface ConnectionControl {
  /** See ClientConnection.connectNow; `headers` is in the config's `headers` format. */
  connect(request: { url?: string; headers?: unknown; subprotocol?: string; force: boolean }): Promise<void>;
  disconnect(): Promise<void>;
}

/** Whether a node found by id is one of our config nodes (and not, say, core's websocket-listener). */
export function isEndpointConfigNode(node: Node | null): node is EndpointConfigNode {
  return node !== null && typeof (node as Partial<EndpointConfigNode>).use === "function" && "hub" in node;
}
