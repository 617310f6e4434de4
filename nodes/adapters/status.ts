import type { NodeStatus } from "node-red";
import type { EndpointState } from "./endpoint-hub";

/** A node status with the fields core's WebSocket nodes add, which Status nodes pass on. */
export interface EndpointStatus extends NodeStatus {
  event?: string;
  _session?: { type: "websocket"; id: string };
}

export type Translate = (key: string, params?: Record<string, string | number>) => string;

/** Stands for the number of clients while the "connected" text is translated. */
const CLIENTS = "\u0000";

/**
 * The status texts, each translated once. Statuses change with every client
 * that comes or goes, and a translation costs more than the rest of a
 * connection's bookkeeping (i18next works out plural rules for each `count`
 * it is given), so the client count goes into a text translated beforehand.
 * The price: the "connected" text has one form for every number, so a
 * catalog cannot give it plural forms.
 */
export class StatusTexts {
  private readonly texts = new Map<string, string>();
  private connectedParts: readonly string[] | undefined;

  constructor(private readonly t: Translate) {}

  /** The text of a `flowsocket.status` key. */
  text(key: string): string {
    let text = this.texts.get(key);
    if (text === undefined) {
      text = this.t(`flowsocket.status.${key}`);
      this.texts.set(key, text);
    }
    return text;
  }

  /** A text with parameters, translated each time: for states that change at most every few seconds. */
  format(key: string, params: Record<string, string | number>): string {
    return this.t(`flowsocket.status.${key}`, params);
  }

  /** "N connected", in the catalog's words (`__clients__` stands for N, as often as it appears). */
  connected(clients: number): string {
    this.connectedParts ??= this.t("flowsocket.status.connected", { clients: CLIENTS }).split(CLIENTS);
    return this.connectedParts.join(String(clients));
  }
}

/**
 * The status an in or out node shows for its endpoint's state: the number of
 * clients for a listener, the connection's state for a client.
 */
export function statusOf(state: EndpointState, listening: boolean, texts: StatusTexts): EndpointStatus {
  const status = describe(state, listening, texts);
  if (state.dropped) {
    status.text = texts.format("with-drops", { text: status.text ?? "", dropped: state.dropped });
  }
  if (!state.quiet) {
    status.event = state.event;
    if (state.sessionId !== undefined) {
      status._session = { type: "websocket", id: state.sessionId };
    }
  }
  return status;
}

function describe(state: EndpointState, listening: boolean, texts: StatusTexts): EndpointStatus {
  switch (state.client) {
    case "idle":
      return { fill: "grey", shape: "ring", text: texts.text("idle") };
    case "disconnected":
      return { fill: "grey", shape: "ring", text: texts.text("stopped-by-flow") };
    case "gave-up":
      return { fill: "red", shape: "ring", text: texts.text("gave-up") };
    case "waiting": {
      const seconds = Math.ceil((state.retryInMs ?? 0) / 1000);
      const text = state.failure
        ? texts.format("failed-retry", { failure: texts.text(state.failure), seconds })
        : texts.format("retry", { seconds });
      return { fill: "yellow", shape: "ring", text };
    }
    default:
      break;
  }
  if (state.failure) {
    return { fill: "red", shape: "ring", text: texts.text(state.failure) };
  }
  if (listening) {
    const shape = state.count > 0 ? "dot" : "ring";
    return { fill: "green", shape, text: texts.connected(state.count) };
  }
  switch (state.event) {
    case "connecting":
      return { fill: "yellow", shape: "ring", text: texts.text("connecting") };
    case "connect":
      return { fill: "green", shape: "dot", text: texts.text("connected-one") };
    default:
      return { fill: "red", shape: "ring", text: texts.text("disconnected") };
  }
}
