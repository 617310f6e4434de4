import type { NodeStatus } from "node-red";
import type { EndpointState } from "./endpoint-hub";

/** A node status with the fields core's WebSocket nodes add, which Status nodes pass on. */
export interface EndpointStatus extends NodeStatus {
  event?: string;
  _session?: { type: "websocket"; id: string };
}

export type Translate = (key: string, params?: Record<string, string | number>) => string;

/**
 * The status an in or out node shows for its endpoint's state: the number of
 * clients for a listener, the connection's state for a client.
 */
export function statusOf(state: EndpointState, listening: boolean, t: Translate): EndpointStatus {
  const status = describe(state, listening, t);
  if (!state.replayed) {
    status.event = state.event;
    if (state.sessionId !== undefined) {
      status._session = { type: "websocket", id: state.sessionId };
    }
  }
  return status;
}

function describe(state: EndpointState, listening: boolean, t: Translate): EndpointStatus {
  if (state.failure) {
    return { fill: "red", shape: "ring", text: t(`flowsocket.status.${state.failure}`) };
  }
  if (state.event === "error") {
    return { fill: "red", shape: "ring", text: t("flowsocket.status.error") };
  }
  if (listening) {
    const shape = state.count > 0 ? "dot" : "ring";
    return { fill: "green", shape, text: t("flowsocket.status.connected", { count: state.count }) };
  }
  switch (state.event) {
    case "connecting":
      return { fill: "yellow", shape: "ring", text: t("flowsocket.status.connecting") };
    case "connect":
      return { fill: "green", shape: "dot", text: t("flowsocket.status.connected-one") };
    default:
      return { fill: "red", shape: "ring", text: t("flowsocket.status.disconnected") };
  }
}
