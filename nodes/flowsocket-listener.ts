import type { Node, NodeAPI, NodeDef } from "node-red";
import type { ServerOptions } from "ws";
import type { CoreListeners } from "./adapters/core-listeners";
import type { EndpointConfigNode } from "./adapters/endpoint-config";
import { EndpointHub, type EndpointUser } from "./adapters/endpoint-hub";
import { warningDigest } from "./adapters/log-digest";
import type { UpgradeRouters } from "./adapters/upgrade-routers";
import { accessRules, type AccessSettingsDef, type HttpNodeAuth } from "./settings/access-settings";
import { compressionSettings, limitSettings, type CompressionSettingsDef, type LimitSettings, type LimitSettingsDef } from "./settings/limit-settings";
import type { AccessRules } from "./transport/access";
import { commaList, flag, headerNames, secondsToMs, SettingError } from "./settings/parse";
import { ownAddress, type OwnAddressDef } from "./settings/own-address";
import { placeOnNodeRedServer, placeOnOwnServer, type PlacementReport } from "./adapters/listener-placement";
import { serverTlsOptions } from "./adapters/tls";
import type { OwnAddress, OwnServers } from "./transport/own-servers";
import { toError } from "./transport/errors";
import { listenerPath } from "./transport/paths";
import { ServerEndpoint } from "./transport/server-endpoint";

interface ListenerDef extends NodeDef, LimitSettingsDef, AccessSettingsDef, CompressionSettingsDef, OwnAddressDef {
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

/** The listener's credentials: its token, kept out of the flow. */
interface ListenerCredentials {
  token?: string;
}

type ListenerNode = Node<ListenerCredentials> & { -readonly [K in keyof EndpointConfigNode]: EndpointConfigNode[K] };

/** `flowsocket-listener`: a WebSocket endpoint on a path of Node-RED's own HTTP server. */
export function registerListener(RED: NodeAPI, routers: UpgradeRouters, coreListeners: CoreListeners, ownServers: OwnServers): void {
  function FlowsocketListenerNode(this: ListenerNode, def: ListenerDef): void {
    RED.nodes.createNode(this, def);
    const node = this;
    node.listening = true;
    node.problem = undefined;
    node.connection = undefined;
    node.wholemsg = def.wholemsg === "true";
    node.target = def.path ?? "";
    // Many peers failing alike (a fuzzer, a flood) make one line a minute per kind of failure.
    const digest = warningDigest(node, RED._);
    node.hub = new EndpointHub(
      node.wholemsg,
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

    let limits: LimitSettings;
    let access: AccessRules | undefined;
    let address: OwnAddress | undefined;
    try {
      limits = limitSettings(def);
      access = accessRules(def, node.credentials?.token, (RED.settings as { httpNodeAuth?: HttpNodeAuth }).httpNodeAuth);
      address = ownAddress(def, (id) => serverTlsOptions(RED, id, flag(def.clientCert)));
    } catch (error) {
      if (error instanceof SettingError) {
        cannotServe(RED._("flowsocket.errors.bad-setting", { setting: error.setting, value: error.value }), "bad-settings");
      } else {
        cannotServe(toError(error).message, "bad-settings");
      }
      return;
    }
    const server = RED.server;
    if (!address && !server) {
      cannotServe(RED._("flowsocket.errors.no-http-server", { path: node.target }), "no-http-server");
      return;
    }
    try {
      // On Node-RED's server the path is under httpNodeRoot (core's listener uses "/" when it is off); on one of our own, not.
      node.target = listenerPath(address ? "/" : String(RED.settings.httpNodeRoot || "/"), node.target);
    } catch (error) {
      cannotServe(toError(error).message, "invalid-path");
      return;
    }
    const fullPath = node.target;
    node.hub.reportDrops = (session, dropped, ended) =>
      digest.add(
        ended ? "drops-end" : "drops-start",
        ended
          ? RED._("flowsocket.errors.drops-end", { id: session.id, dropped })
          : RED._("flowsocket.errors.drops-start", { id: session.id, bytes: limits.limits.highWaterMark }),
      );
    const endpoint = new ServerEndpoint(node.hub, {
      protocols: commaList(def.subprotocol),
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

    const report: PlacementReport = {
      cannotServe,
      servesAgain: (text) => {
        node.problem = undefined;
        node.log(text);
        node.hub.resume();
      },
    };
    const placement = address
      ? placeOnOwnServer(RED, ownServers, address, fullPath, endpoint, report)
      : placeOnNodeRedServer(RED, server, routers, coreListeners, fullPath, endpoint, report);
    node.hub.channel = endpoint;
    node.on("close", (_removed: boolean, done: () => void) => {
      node.hub.stopping();
      // Flushed once the sessions are closed, with what their closing reported, as the client does.
      const flushed = (): void => {
        digest.flush();
        done();
      };
      void placement
        .release()
        .then(() => endpoint.stop())
        .then(flushed, flushed);
    });
  }

  // The token is a credential: kept in flows_cred.json, never in the flow or an export.
  RED.nodes.registerType<ListenerNode, ListenerDef, unknown, ListenerCredentials>("flowsocket-listener", FlowsocketListenerNode, {
    credentials: { token: { type: "password" } },
  });
}
