import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import type { Node, NodeAPI, NodeDef } from "node-red";
import type { ServerOptions } from "ws";
import type { CoreListeners } from "./adapters/core-listeners";
import type { EndpointConfigNode } from "./adapters/endpoint-config";
import { EndpointHub, type EndpointUser } from "./adapters/endpoint-hub";
import { LogDigest } from "./adapters/log-digest";
import type { UpgradeRouters } from "./adapters/upgrade-routers";
import { accessRules, type AccessSettingsDef, type HttpNodeAuth } from "./settings/access-settings";
import { compressionSettings, limitSettings, type CompressionSettingsDef, type LimitSettings, type LimitSettingsDef } from "./settings/limit-settings";
import type { AccessRules } from "./transport/access";
import { flag, headerNames, secondsToMs, type SettingError } from "./settings/parse";
import { toError } from "./transport/errors";
import { listenerPath } from "./transport/paths";
import { parseProtocolList } from "./transport/protocols";
import { ServerEndpoint } from "./transport/server-endpoint";

interface ListenerDef extends NodeDef, LimitSettingsDef, AccessSettingsDef, CompressionSettingsDef {
  path?: string;
  wholemsg?: string;
  subprotocol?: string;
  /** Server heartbeat, seconds between pings; empty or 0 for none. */
  hb?: string | number;
  /** Request headers that sessions keep, comma-separated. */
  sessionHeaders?: string;
  trustProxy?: boolean | string;
  clientRooms?: boolean | string;
}

/** Whether a listener serves its path, or which rival has it: another of ours, or core's. */
type PathState = "serving" | "path-in-use" | "core-path";

/** The listener's credentials: its token, kept out of the flow. */
interface ListenerCredentials {
  token?: string;
}

type ListenerNode = Node<ListenerCredentials> & { -readonly [K in keyof EndpointConfigNode]: EndpointConfigNode[K] };

/** `flowsocket-listener`: a WebSocket endpoint on a path of Node-RED's own HTTP server. */
export function registerListener(RED: NodeAPI, routers: UpgradeRouters, coreListeners: CoreListeners): void {
  function FlowsocketListenerNode(this: ListenerNode, def: ListenerDef): void {
    RED.nodes.createNode(this, def);
    const node = this;
    node.listening = true;
    node.problem = undefined;
    node.connection = undefined;
    node.wholemsg = def.wholemsg === "true";
    node.target = def.path ?? "";
    // Many peers failing alike (a fuzzer, a flood) make one line a minute per kind of failure.
    const digest = new LogDigest(
      (line) => node.warn(line),
      (count, seconds, first) => RED._("flowsocket.errors.digest", { count, seconds, first }),
    );
    node.hub = new EndpointHub(
      node.wholemsg,
      "listener",
      (error, session) => {
        const kind = (error as { code?: string }).code ?? error.message;
        digest.add(kind, RED._("flowsocket.errors.session-error", { id: session?.id ?? "", error: error.message }));
      },
      { event: "disconnect", count: 0 },
    );
    node.use = (user: EndpointUser) => node.hub.attach(user);

    /** Reports why the listener cannot serve, on itself, in the log and on its nodes' status. */
    const cannotServe = (text: string, failure: string): void => {
      node.problem = text;
      node.error(text);
      node.hub.fail(failure);
    };

    const server = RED.server;
    if (!server) {
      cannotServe(RED._("flowsocket.errors.no-http-server", { path: node.target }), "no-http-server");
      return;
    }
    try {
      // Node-RED serves its HTTP nodes under httpNodeRoot; core's listener uses "/" when it is off.
      node.target = listenerPath(String(RED.settings.httpNodeRoot || "/"), node.target);
    } catch (error) {
      cannotServe(toError(error).message, "invalid-path");
      return;
    }
    const fullPath = node.target;
    let limits: LimitSettings;
    let access: AccessRules | undefined;
    try {
      limits = limitSettings(def);
      access = accessRules(def, node.credentials?.token, (RED.settings as { httpNodeAuth?: HttpNodeAuth }).httpNodeAuth);
    } catch (error) {
      const { setting, value } = error as SettingError;
      cannotServe(RED._("flowsocket.errors.bad-setting", { setting, value }), "bad-settings");
      return;
    }
    node.hub.reportDrops = (session, dropped, ended) =>
      digest.add(
        ended ? "drops-end" : "drops-start",
        ended
          ? RED._("flowsocket.errors.drops-end", { id: session.id, dropped })
          : RED._("flowsocket.errors.drops-start", { id: session.id, bytes: limits.limits.highWaterMark }),
      );
    const endpoint = new ServerEndpoint(node.hub, {
      protocols: parseProtocolList(def.subprotocol),
      verifyClient: (RED.settings as { webSocketNodeVerifyClient?: ServerOptions["verifyClient"] }).webSocketNodeVerifyClient,
      keepHeaders: headerNames(def.sessionHeaders),
      trustProxy: flag(def.trustProxy),
      heartbeatMs: secondsToMs(def.hb),
      clientRooms: flag(def.clientRooms),
      maxPayload: limits.maxPayload,
      maxFragments: limits.maxFragments,
      maxSessions: limits.maxSessions,
      limits: limits.limits,
      access,
      compression: compressionSettings(def),
    });

    const router = routers.for(server);
    const target = {
      handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void {
        // Left alone, the request is core's to answer.
        if (review() === "serving") {
          endpoint.handleUpgrade(request, socket, head);
        }
      },
    };

    // Whether this listener may serve its path, checked at start, after every
    // deploy and at every upgrade: a deploy of modified nodes can add or
    // remove a rival at any time, and the path is taken back once it is free.
    let claimed = false;
    let state: PathState = "serving";
    const review = (): PathState => {
      if (!claimed) {
        try {
          router.add(fullPath, target);
          claimed = true;
        } catch {
          // Another of our listeners has the path; reported below.
        }
      }
      const next: PathState = !claimed ? "path-in-use" : coreListeners.serve(fullPath) ? "core-path" : "serving";
      if (next !== state) {
        state = next;
        if (next === "serving") {
          node.problem = undefined;
          node.log(RED._("flowsocket.errors.path-free", { path: fullPath }));
          node.hub.resume();
        } else {
          cannotServe(RED._(`flowsocket.errors.${next}`, { path: fullPath }), next);
        }
      }
      return state;
    };
    review();
    const onFlowsStarted = (): void => void review();
    RED.events.on("flows:started", onFlowsStarted);
    node.hub.channel = endpoint;
    node.on("close", (_removed: boolean, done: () => void) => {
      digest.flush();
      RED.events.off("flows:started", onFlowsStarted);
      router.remove(fullPath, target);
      node.hub.stopping();
      void endpoint.stop().then(done, done);
    });
  }

  // The token is a credential: kept in flows_cred.json, never in the flow or an export.
  RED.nodes.registerType<ListenerNode, ListenerDef, unknown, ListenerCredentials>("flowsocket-listener", FlowsocketListenerNode, {
    credentials: { token: { type: "password" } },
  });
}
