import type { Server } from "node:http";
import { UpgradeRouter } from "../transport/upgrade-router";

/**
 * One upgrade router per HTTP server. Kept in the closure of the package's
 * module function, not in a module global, so each Node-RED runtime that
 * loads the package (tests start several) has its own.
 */
export class UpgradeRouters {
  private readonly routers = new WeakMap<Server, UpgradeRouter>();

  /** @param onError where a router reports an upgrade that failed (see UpgradeRouter). */
  constructor(private readonly onError: (error: Error, path: string) => void) {}

  for(server: Server): UpgradeRouter {
    let router = this.routers.get(server);
    if (!router) {
      router = new UpgradeRouter(server, this.onError);
      this.routers.set(server, router);
    }
    return router;
  }
}
