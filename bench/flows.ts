/** The flows the benchmark deploys: the same shapes once with core's nodes and once with ours, and ours alone where core has no match. */
import type { Endpoints } from "./cases";
import type { GeneratorPorts } from "./protocol";
import { HEARTBEAT_SECONDS, ROOM_SENT_TO } from "./session-fixtures";

export type FlowNode = Record<string, unknown> & { id: string; type: string };

export type Implementation = "core" | "ours";

const TYPES: Record<Implementation, { in: string; out: string; listener: string; client: string }> = {
  core: { in: "websocket in", out: "websocket out", listener: "websocket-listener", client: "websocket-client" },
  ours: { in: "flowsocket-in", out: "flowsocket-out", listener: "flowsocket-listener", client: "flowsocket-client" },
};

/** Which implementations one Node-RED process runs, and how its client connections name themselves. */
export interface FlowOptions {
  implementations: readonly Implementation[];
  /**
   * Put before the flood path, so that the client connections of two
   * Node-RED processes (two builds of ours) are told apart on the one flood
   * server.
   */
  floodPrefix: string;
  /** What ours' listeners get over the flows' own settings (a settings A/B); nothing when absent. */
  listeners?: ListenerSetup;
}

/** Settings and credentials for every listener of ours in a Node-RED process. */
export interface ListenerSetup {
  /** Saved on each listener, as the editor would save them. */
  settings: Record<string, string>;
  /** Deployed with each listener, as the editor sends credentials (the token). */
  credentials?: Record<string, string>;
}

/** The paths each implementation serves, under Node-RED's HTTP root. */
function paths(impl: Implementation, floodPrefix: string) {
  const base = `/bench/${impl}`;
  return {
    echo: `${base}/echo`,
    wholeEcho: `${base}/echo-whole`,
    broadcast: `${base}/bcast`,
    broadcastTrigger: `${base}/bcast-trigger`,
    idle: `${base}/idle`,
    /** Where Node-RED's client connection connects on the load generator's flood server. */
    flood: `${floodPrefix}/flood/${impl}`,
    /** Where Node-RED's compressing client connection connects on the load generator's deflate server. */
    deflate: `${floodPrefix}/deflate/${impl}`,
    rooms: `${base}/rooms`,
    roomsTrigger: `${base}/rooms-trigger`,
    open: `${base}/open`,
    idleHeartbeat: `${base}/idle-hb`,
  };
}

/** Where one implementation in the Node-RED process at `redUrl` (ws://host:port) serves the cases. */
export function endpoints(redUrl: string, impl: Implementation, floodPrefix: string): Endpoints {
  const at = paths(impl, floodPrefix);
  return {
    echo: `${redUrl}${at.echo}`,
    wholeEcho: `${redUrl}${at.wholeEcho}`,
    broadcast: `${redUrl}${at.broadcast}`,
    broadcastTrigger: `${redUrl}${at.broadcastTrigger}`,
    idle: `${redUrl}${at.idle}`,
    flood: at.flood,
    deflate: at.deflate,
    rooms: `${redUrl}${at.rooms}`,
    roomsTrigger: `${redUrl}${at.roomsTrigger}`,
    open: `${redUrl}${at.open}`,
    idleHeartbeat: `${redUrl}${at.idleHeartbeat}`,
  };
}

/**
 * What ours runs with, where the option applies: in nodes with lifecycle
 * events and session details, out nodes reading targets and actions (their
 * results output off). An older build ignores the properties it does not
 * know, so an A/B run against one still deploys.
 */
const SESSION_OPTIONS: Record<Implementation, Record<"in" | "wholeIn" | "out", Record<string, unknown>>> = {
  core: { in: {}, wholeIn: {}, out: {} },
  ours: {
    in: { events: true, metadata: true },
    // No events in whole-message mode: the out node would send the connect
    // event to the client as a message of its own, and the echo would no
    // longer be the exchange core's runs.
    wholeIn: { metadata: true },
    out: { control: true, results: false },
  },
};

/**
 * For each implementation: an echo (in wired to out) in payload and in
 * whole-message mode; a broadcast (a trigger listener's in, through a change
 * node that drops `_session`, to the out node of a listener many clients
 * join); a listener for idle connections with an in and an out node on it; and
 * a client connection to the load generator whose in node answers "END" with
 * "END" (through a filter and a change node), so a flood can be timed; a
 * listener whose in node passes its messages (ours: connect events) on to a
 * change node; a second client connection, to the load generator's deflate
 * server, whose in node answers each message with itself (through a change
 * node that drops `_session`; ours with `compression` on, core's as it
 * comes: its client offers permessage-deflate). Ours alone: a listener whose
 * clients join rooms themselves, with a trigger whose messages go to one
 * room, and a listener with the server heartbeat on, with an in and an out
 * node.
 */
export function benchFlows(ports: GeneratorPorts, options: FlowOptions): FlowNode[] {
  const flows: FlowNode[] = [{ id: "bench", type: "tab", label: "benchmark" }];
  let y = 40;
  const node = (impl: Implementation, name: string, fields: Record<string, unknown>): FlowNode => {
    const created: FlowNode = { id: `${impl}-${name}`, type: "", z: "bench", x: 200, y: (y += 20), ...fields } as FlowNode;
    flows.push(created);
    return created;
  };
  const config = (impl: Implementation, name: string, fields: Record<string, unknown>): FlowNode => {
    const created = { id: `${impl}-${name}`, ...fields } as FlowNode;
    flows.push(created);
    return created;
  };
  for (const impl of options.implementations) {
    const types = TYPES[impl];
    const at = paths(impl, options.floodPrefix);
    const setup = impl === "ours" ? options.listeners : undefined;
    const listener = (name: string, path: string, wholemsg = "false", fields: Record<string, unknown> = {}) =>
      config(impl, name, {
        type: types.listener,
        path,
        wholemsg,
        ...fields,
        ...setup?.settings,
        ...(setup?.credentials ? { credentials: setup.credentials } : {}),
      });
    const client = (name: string, url: string, fields: Record<string, unknown> = {}) =>
      config(impl, name, { type: types.client, path: url, tls: "", wholemsg: "false", hb: "0", subprotocol: "", headers: [], ...fields });
    const session = SESSION_OPTIONS[impl];
    const inNode = (name: string, server: string, wires: string[], inOptions = session.in) =>
      node(impl, name, { type: types.in, server, client: "", wires: [wires], ...inOptions });
    const outNode = (name: string, server: string, client = "") =>
      node(impl, name, { type: types.out, server, client, ...session.out });
    const dropSession = (name: string, next?: string) =>
      node(impl, name, { type: "change", rules: [{ t: "delete", p: "_session", pt: "msg" }], wires: [next ? [next] : []] });

    listener("echo-l", at.echo);
    inNode("echo-in", `${impl}-echo-l`, [`${impl}-echo-out`]);
    outNode("echo-out", `${impl}-echo-l`);

    listener("whole-l", at.wholeEcho, "true");
    inNode("whole-in", `${impl}-whole-l`, [`${impl}-whole-out`], session.wholeIn);
    outNode("whole-out", `${impl}-whole-l`);

    listener("bcast-l", at.broadcast);
    listener("trigger-l", at.broadcastTrigger);
    inNode("trigger-in", `${impl}-trigger-l`, [`${impl}-trigger-drop`]);
    dropSession("trigger-drop", `${impl}-bcast-out`);
    outNode("bcast-out", `${impl}-bcast-l`);

    listener("idle-l", at.idle);
    inNode("idle-in", `${impl}-idle-l`, []);
    outNode("idle-out", `${impl}-idle-l`);

    // Where a flow is told who connects: ours sends a connect event per
    // connection through the change node, core's in node sends nothing then.
    listener("open-l", at.open);
    inNode("open-in", `${impl}-open-l`, [`${impl}-open-drop`]);
    dropSession("open-drop");

    if (impl === "ours") {
      // Clients join with a join frame (clientRooms), so joining costs the flow nothing.
      listener("rooms-l", at.rooms, "false", { clientRooms: true });
      listener("rooms-trigger-l", at.roomsTrigger);
      inNode("rooms-trigger-in", `${impl}-rooms-trigger-l`, [`${impl}-rooms-to`]);
      node(impl, "rooms-to", {
        type: "change",
        rules: [
          { t: "delete", p: "_session", pt: "msg" },
          { t: "set", p: "room", pt: "msg", to: ROOM_SENT_TO, tot: "str" },
        ],
        wires: [[`${impl}-rooms-out`]],
      });
      outNode("rooms-out", `${impl}-rooms-l`);

      listener("hb-l", at.idleHeartbeat, "false", { hb: String(HEARTBEAT_SECONDS) });
      inNode("hb-in", `${impl}-hb-l`, []);
      outNode("hb-out", `${impl}-hb-l`);
    }

    client("flood-c", `ws://127.0.0.1:${ports.flood}${at.flood}`);
    node(impl, "flood-in", { type: types.in, server: "", client: `${impl}-flood-c`, wires: [[`${impl}-flood-end`]], ...session.in });
    // The flood's payloads are all alike, so a filter node ("block unless the
    // value changes") passes the first one and "END" and blocks the rest: the
    // cheapest core node that can single out the end. (A switch node queues
    // every message, and under a flood its queue costs more than the rest of
    // the path; a function node runs a VM call per message.)
    node(impl, "flood-end", {
      type: "rbe",
      func: "rbe",
      gap: "",
      start: "",
      inout: "out",
      septopics: true,
      property: "payload",
      topi: "topic",
      wires: [[`${impl}-flood-drop`]],
    });
    dropSession("flood-drop", `${impl}-flood-out`);
    outNode("flood-out", "", `${impl}-flood-c`);

    // The threshold stays at its default, `ws`'s 1024 bytes, which core's client has too.
    client("deflate-c", `ws://127.0.0.1:${ports.deflate}${at.deflate}`, impl === "ours" ? { compression: true } : {});
    node(impl, "deflate-in", { type: types.in, server: "", client: `${impl}-deflate-c`, wires: [[`${impl}-deflate-drop`]], ...session.in });
    // Core's out node sends a message with a `_session` only to a listener's session, so on a client it would drop them all.
    dropSession("deflate-drop", `${impl}-deflate-out`);
    outNode("deflate-out", "", `${impl}-deflate-c`);
  }
  return flows;
}
