import assert from "node:assert/strict";
import { readdirSync } from "node:fs";
import type { Server } from "node:http";
import { flowsocketNodes, helper, onTab, type FlowNode } from "../support/red";
import { TestClient } from "../support/peers";

const PATH = "/ws/redeployed";

/** A listener with a heartbeat (a timer), its in and out nodes, and a client connection to it (more timers and sockets). */
function flow(port: number, round: number): FlowNode[] {
  return [
    { id: "listener", type: "flowsocket-listener", path: PATH, wholemsg: "false", hb: "5", name: `round ${round}` },
    { id: "in", type: "flowsocket-in", server: "listener", events: true, metadata: true, wires: [["out"]] },
    { id: "out", type: "flowsocket-out", server: "listener", control: true },
    { id: "client", type: "flowsocket-client", path: `ws://127.0.0.1:${port}${PATH}`, wholemsg: "false", hb: "5", headers: [] },
    { id: "client-in", type: "flowsocket-in", client: "client", wires: [[]] },
  ];
}

/** What a leak would grow: open file descriptors, timers, and `upgrade` listeners on Node-RED's HTTP server. */
function resources(server: Server): { fds: number; timers: number; upgrade: number } {
  return {
    fds: readdirSync("/proc/self/fd").length,
    timers: process.getActiveResourcesInfo().filter((kind) => kind === "Timeout").length,
    upgrade: server.listenerCount("upgrade"),
  };
}

/** Waits past the one-second grace of closing sockets (see close-socket.ts), so their timers are gone. */
function settled(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 1200));
}

describe("50 full redeploys with 20 live clients", () => {
  before(() => helper.startServer());
  after(() => helper.stopServer());

  it("leaves descriptors, timers and upgrade listeners where they started", async function () {
    this.timeout(120000);
    const server = (helper as unknown as { _server: Server })._server;
    const port = Number(new URL(helper.url()).port);
    const url = `${helper.url().replace("http", "ws")}${PATH}`;
    // A first load and unload leaves the runtime's own timers and sockets in place: they are the baseline.
    await helper.load([flowsocketNodes], onTab(flow(port, 0)));
    await (await TestClient.open(url)).close();
    await helper.unload();
    await settled();
    const start = resources(server);
    const clients: TestClient[] = [];
    await helper.load([flowsocketNodes], onTab(flow(port, 1)));
    for (let round = 1; round <= 50; round++) {
      if (round > 1) {
        await helper.setFlows(onTab(flow(port, round)), "full");
      }
      // Every redeploy closed the clients of the round before: connect 20 again.
      await Promise.all(clients.splice(0).map((client) => client.close()));
      clients.push(...(await Promise.all(Array.from({ length: 20 }, () => TestClient.open(url)))));
    }
    await Promise.all(clients.splice(0).map((client) => client.close()));
    await helper.unload();
    await settled();
    let end = resources(server);
    // Sockets closed by the last unload finish closing within a few turns.
    const deadline = Date.now() + 5000;
    while ((end.fds > start.fds || end.timers > start.timers) && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      end = resources(server);
    }
    assert.ok(end.fds <= start.fds, `file descriptors: ${start.fds} before, ${end.fds} after`);
    assert.ok(end.timers <= start.timers, `timers: ${start.timers} before, ${end.timers} after`);
    assert.equal(end.upgrade, start.upgrade, "upgrade listeners");
  });
});
