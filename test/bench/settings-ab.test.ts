import assert from "node:assert/strict";
import { once } from "node:events";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { WebSocketServer } from "ws";
import { benchCases, casesToRun, type Timing } from "../../bench/cases";
import { benchFlows, type FlowNode, type ListenerSetup } from "../../bench/flows";
import { DEFAULTS, expectTokenAsked, OFF } from "../../bench/settings-ab";
import { limitSettings, type LimitSettingsDef } from "../../nodes/settings/limit-settings";

const timing: Timing = { warmupMs: 1, durationMs: 1, floodMessages: 1, floodWarmupMessages: 1, heartbeatBeats: 2, fileLimit: 51000 };

describe("the benchmark's settings A/B", () => {
  const listeners = (setup: ListenerSetup): FlowNode[] =>
    benchFlows({ flood: 1, deflate: 2 }, { implementations: ["core", "ours"], floodPrefix: "/x", listeners: setup }).filter((node) =>
      node.type.endsWith("-listener"),
    );

  it("gives a side's settings and token to every listener of ours and to none of core's", () => {
    const deployed = listeners(DEFAULTS.listeners);
    const ours = deployed.filter((node) => node.type === "flowsocket-listener");
    assert.ok(ours.length >= 6, `${ours.length} listeners`);
    for (const node of ours) {
      assert.deepEqual(node.credentials, { token: "flowsocket-bench-token" }, node.id);
    }
    for (const node of deployed.filter((listener) => listener.type === "websocket-listener")) {
      assert.equal("credentials" in node, false, node.id);
    }
    // A listener's own settings stay under the side's.
    assert.equal(listeners(OFF.listeners).find((node) => node.id === "ours-hb-l")?.hb, "5");
  });

  it("sends the defaults side's token where a listener looks by default, and none when off", () => {
    assert.deepEqual(DEFAULTS.headers, { Authorization: "Bearer flowsocket-bench-token" });
    assert.equal(OFF.headers, undefined);
    assert.equal(OFF.listeners.credentials, undefined);
  });

  /** The limits a listener reads from its saved node. */
  const limitsOf = (node: FlowNode) => limitSettings(node as LimitSettingsDef);

  it("turns the limits off as far as the listener's settings go, and leaves them at their defaults on the other side", () => {
    for (const node of listeners(OFF.listeners).filter((listener) => listener.type === "flowsocket-listener")) {
      const read = limitsOf(node);
      assert.deepEqual([read.maxPayload, read.limits.highWaterMark, read.limits.rate], [100 * 1024 * 1024, 2 ** 31 - 1, undefined], node.id);
    }
    const defaults = limitsOf(listeners(DEFAULTS.listeners).find((node) => node.id === "ours-echo-l")!);
    assert.deepEqual([defaults.maxPayload, defaults.limits.highWaterMark, defaults.limits.backpressure], [16 * 1024 * 1024, 1024 * 1024, "drop"]);
  });

  it("runs the echo and broadcast cases on listeners alone, as --only narrows them", () => {
    const run = (only: string): string[] => casesToRun(benchCases(timing), only, "settings-ab", false).map((definition) => definition.name);
    assert.deepEqual(run(""), [
      "echo, 1 client",
      "echo, 16 clients",
      "echo, 256 clients",
      "wholemsg echo, 16 clients",
      "wholemsg echo, JSON, 16 clients",
      "broadcast to 1,000 clients",
      "broadcast to 100 clients",
      "room of 100 (1,000 clients in 10 rooms)",
    ]);
    assert.deepEqual(run("echo, 16"), ["echo, 16 clients", "wholemsg echo, 16 clients"]);
    assert.deepEqual(run("compress"), []);
  });

  describe("the check that the token is asked for", () => {
    /** A `ws` server on a free port that lets a handshake through, or refuses it with 401. */
    const serve = async (refuse: boolean): Promise<{ url: string; close(): Promise<void> }> => {
      const http = createServer();
      const wss = new WebSocketServer({ server: http, verifyClient: (_info, done) => done(!refuse, 401) });
      http.listen(0, "127.0.0.1");
      await once(http, "listening");
      return {
        url: `ws://127.0.0.1:${(http.address() as AddressInfo).port}/echo`,
        close: async () => {
          wss.clients.forEach((socket) => socket.terminate());
          await new Promise<void>((resolve) => wss.close(() => resolve()));
          http.closeAllConnections();
          await new Promise<void>((resolve) => http.close(() => resolve()));
        },
      };
    };

    it("passes a listener that refuses a client without the token with 401", async () => {
      const server = await serve(true);
      try {
        await expectTokenAsked(server.url);
      } finally {
        await server.close();
      }
    });

    it("fails a run whose listener lets a client without the token in", async () => {
      const server = await serve(false);
      try {
        await assert.rejects(expectTokenAsked(server.url), /should refuse a client without the token with 401; it answered: accepted/);
      } finally {
        await server.close();
      }
    });
  });
});
