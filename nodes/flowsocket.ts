import type { NodeAPI } from "node-red";
import { CoreListeners } from "./adapters/core-listeners";
import { StatusTexts } from "./adapters/status";
import { UpgradeRouters } from "./adapters/upgrade-routers";
import { registerClient } from "./flowsocket-client";
import { registerIn } from "./flowsocket-in";
import { registerListener } from "./flowsocket-listener";
import { registerOut } from "./flowsocket-out";
import { OwnServers } from "./transport/own-servers";

/** The package's one node set: registers the two config nodes, then the in and out nodes. */
export = function flowsocket(RED: NodeAPI): void {
  const upgradeFailed = (error: Error, path: string): void => RED.log.warn(RED._("flowsocket.errors.upgrade-failed", { path, error: error.message }));
  const routers = new UpgradeRouters(upgradeFailed);
  registerListener(RED, routers, new CoreListeners(RED), new OwnServers(upgradeFailed));
  registerClient(RED);
  const texts = new StatusTexts(RED._);
  registerIn(RED, texts);
  registerOut(RED, texts);
};
