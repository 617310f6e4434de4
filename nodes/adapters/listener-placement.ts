import type { IncomingMessage, Server } from "node:http";
import type { Duplex } from "node:stream";
import type { NodeAPI } from "node-red";
import type { OwnAddress, OwnServers } from "../transport/own-servers";
import type { UpgradeTarget } from "../transport/upgrade-router";
import type { CoreListeners } from "./core-listeners";
import type { UpgradeRouters } from "./upgrade-routers";

/** How a listener tells that it cannot serve its path (a `flowsocket.status` key), or serves it again. */
export interface PlacementReport {
  cannotServe(text: string, failure: string): void;
  servesAgain(text: string): void;
}

/** Where a listener's path is served, until it is let go. */
export interface Placement {
  /** Stops routing the path (and lets go of an own server). */
  release(): Promise<void>;
}

/** Whether a listener serves its path on Node-RED's server, or which rival has it: another of ours, or core's. */
type PathState = "serving" | "path-in-use" | "core-path";

/**
 * Serves `fullPath` on Node-RED's own HTTP server. Whether it may is checked
 * at start, after every deploy and at every upgrade: a deploy of modified
 * nodes can add or remove a rival at any time (another of our listeners, or
 * core's, which always answers and so always wins), and the path is taken
 * back once it is free.
 */
export function placeOnNodeRedServer(
  RED: NodeAPI,
  server: Server,
  routers: UpgradeRouters,
  coreListeners: CoreListeners,
  fullPath: string,
  endpoint: UpgradeTarget,
  report: PlacementReport,
): Placement {
  const router = routers.for(server);
  const target: UpgradeTarget = {
    handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void {
      // Left alone, the request is core's to answer.
      if (review() === "serving") {
        endpoint.handleUpgrade(request, socket, head);
      }
    },
  };
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
        report.servesAgain(RED._("flowsocket.errors.path-free", { path: fullPath }));
      } else {
        report.cannotServe(RED._(`flowsocket.errors.${next}`, { path: fullPath }), next);
      }
    }
    return state;
  };
  review();
  const onFlowsStarted = (): void => void review();
  RED.events.on("flows:started", onFlowsStarted);
  return {
    release: async () => {
      RED.events.off("flows:started", onFlowsStarted);
      router.remove(fullPath, target);
    },
  };
}

/**
 * Serves `fullPath` on a server of the package's own, on `address`; several
 * listeners share one port on different paths. A port that cannot be
 * listened on is reported as the listener's failure.
 */
export function placeOnOwnServer(
  RED: NodeAPI,
  ownServers: OwnServers,
  address: OwnAddress,
  fullPath: string,
  endpoint: UpgradeTarget,
  report: PlacementReport,
): Placement {
  let released = false;
  const leased = ownServers.acquire(address).then(
    (lease) => {
      if (released) {
        void lease.release();
        return undefined;
      }
      try {
        lease.router.add(fullPath, endpoint);
      } catch {
        report.cannotServe(RED._("flowsocket.errors.path-in-use", { path: `${address.port}${fullPath}` }), "path-in-use");
      }
      return lease;
    },
    (error: Error) => {
      report.cannotServe(RED._("flowsocket.errors.port-failed", { error: error.message }), "port-failed");
      return undefined;
    },
  );
  return {
    release: async () => {
      released = true;
      const lease = await leased;
      lease?.router.remove(fullPath, endpoint);
      await lease?.release();
    },
  };
}
