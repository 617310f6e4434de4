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
 */
export class StatusTexts {
  private readonly texts = new Map<string, string>();
  private connectedParts: readonly [string, string] | string | undefined;

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

  /** "N connected", in the catalog's words. */
  connected(clients: number): string {
    const parts = (this.connectedParts ??= splitAt(this.t("flowsocket.status.connected", { clients: CLIENTS }), CLIENTS));
    // A text without the number (a test's stand-in translation) is shown alone.
    return typeof parts === "string" ? parts : `${parts[0]}${clients}${parts[1]}`;
  }
}

/** The text before and after `mark`, or the whole text when it has none. */
function splitAt(text: string, mark: string): readonly [string, string] | string {
  const at = text.indexOf(mark);
  return at === -1 ? text : [text.slice(0, at), text.slice(at + mark.length)];
}

/**
 * The status an in or out node shows for its endpoint's state: the number of
 * clients for a listener, the connection's state for a client.
 */
export function statusOf(state: EndpointState, listening: boolean, texts: StatusTexts): EndpointStatus {
  const status = describe(state, listening, texts);
  if (!state.replayed) {
    status.event = state.event;
    if (state.sessionId !== undefined) {
      status._session = { type: "websocket", id: state.sessionId };
    }
  }
  return status;
}

function describe(state: EndpointState, listening: boolean, texts: StatusTexts): EndpointStatus {
  if (state.failure) {
    return { fill: "red", shape: "ring", text: texts.text(state.failure) };
  }
  if (state.event === "error") {
    return { fill: "red", shape: "ring", text: texts.text("error") };
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
