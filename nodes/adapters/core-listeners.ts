import type { NodeAPI, NodeDef } from "node-red";
import { listenerPath } from "../transport/paths";

/** Core's listener config as the flows store it; a `path` with a ws:// URL is one of its client connections. */
interface CoreListenerDef extends NodeDef {
  path?: unknown;
}

/**
 * Tells whether one of Node-RED's own `websocket-listener` nodes is running
 * on a path. Core's nodes answer every upgrade for their paths from their own
 * `upgrade` listener, with no way to step aside, so when both packages have a
 * listener on one path ours must be the one that does not answer: two answers
 * to one request corrupt the connection.
 *
 * "Running" is read from the runtime's public API at the moment of asking:
 * a core listener in the deployed flows counts once its node exists
 * (`RED.nodes.getNode`), and one that a deploy removed still counts until its
 * node has stopped. Both matter during a deploy of modified nodes, when the
 * new flows are in place before the old nodes have stopped.
 */
export class CoreListeners {
  /** Full paths of the core listeners seen, by node id, so one removed from the flows is still known. */
  private readonly paths = new Map<string, string>();

  constructor(private readonly RED: NodeAPI) {}

  /** Whether a running core `websocket-listener` serves `fullPath` (httpNodeRoot included). */
  serve(fullPath: string): boolean {
    const configured = new Set<string>();
    const root = String(this.RED.settings.httpNodeRoot || "/");
    this.RED.nodes.eachNode((def: CoreListenerDef) => {
      if (def.type !== "websocket-listener" || typeof def.path !== "string" || /^wss?:\/\//i.test(def.path)) {
        return;
      }
      try {
        this.paths.set(def.id, listenerPath(root, def.path));
        configured.add(def.id);
      } catch {
        // A path core could not serve either is no rival.
      }
    });
    let serves = false;
    for (const [id, path] of this.paths) {
      if (this.RED.nodes.getNode(id)) {
        serves ||= path === fullPath;
      } else if (!configured.has(id)) {
        this.paths.delete(id);
      }
    }
    return serves;
  }
}
