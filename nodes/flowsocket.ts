import type { NodeAPI } from "node-red";
import { CoreListeners } from "./adapters/core-listeners";
import { StatusTexts } from "./adapters/status";
import { UpgradeRouters } from "./adapters/upgrade-routers";
import { registerClient } from "./flowsocket-client";
import { registerIn } from "./flowsocket-in";
import { registerListener } from "./flowsocket-listener";
import { registerOut } from "./flowsocket-out";

/** The package's one node set: registers the two config nodes, then the in and out nodes. */
export = function flowsocket(RED: NodeAPI): void {
  const routers = new UpgradeRouters((error, path) =>
    RED.log.warn(RED._("flowsocket.errors.upgrade-failed", { path, error: error.message })),
  );
  registerListener(RED, routers, new CoreListeners(RED));
  registerClient(RED);
  const texts = new StatusTexts(RED._);
  registerIn(RED, texts);
  registerOut(RED, texts);
};
