import assert from "node:assert/strict";
import { benchCases, casesToRun, type Endpoints, type RunKind, type Timing } from "../../bench/cases";
import { benchFlows, type FlowNode } from "../../bench/flows";
import { ROOM_SENT_TO, roomOf } from "../../bench/session-fixtures";

const timing = (fileLimit: number): Timing => ({ warmupMs: 1, durationMs: 1, floodMessages: 1, floodWarmupMessages: 1, heartbeatBeats: 2, fileLimit });
const names = (fileLimit: number): string[] => benchCases(timing(fileLimit)).map((definition) => definition.name);

describe("the benchmark's session cases", () => {
  describe("flows", () => {
    const flows = benchFlows({ flood: 1234, deflate: 1235 }, { implementations: ["core", "ours"], floodPrefix: "/x" });
    const of = (type: string): FlowNode[] => flows.filter((node) => node.type === type);

    it("runs ours with events and metadata on its in nodes, but no events in whole-message mode", () => {
      for (const node of of("flowsocket-in")) {
        assert.equal(node.metadata, true, node.id);
        assert.equal(node.events === true, node.id !== "ours-whole-in", node.id);
      }
    });

    it("runs ours with control on its out nodes and results off", () => {
      for (const node of of("flowsocket-out")) {
        assert.deepEqual([node.control, node.results], [true, false], node.id);
      }
    });

    it("leaves core's nodes as they were", () => {
      for (const node of [...of("websocket in"), ...of("websocket out"), ...of("websocket-listener")]) {
        for (const option of ["events", "metadata", "control", "results", "clientRooms", "hb"]) {
          assert.equal(option in node, false, `${node.id} has ${option}`);
        }
      }
    });

    it("gives rooms and the heartbeat to ours alone: clients join by frame, the flow sets msg.room, the listener beats", () => {
      const byId = new Map(flows.map((node) => [node.id, node]));
      assert.equal(byId.get("ours-rooms-l")?.clientRooms, true);
      assert.deepEqual((byId.get("ours-rooms-to")?.rules as { p: string; to?: string }[]).map((rule) => [rule.p, rule.to]), [
        ["_session", undefined],
        ["room", ROOM_SENT_TO],
      ]);
      assert.equal(byId.get("ours-hb-l")?.hb, "5");
      assert.equal([...byId.keys()].some((id) => id.startsWith("core-rooms") || id.startsWith("core-hb")), false);
    });
  });

  it("spreads clients over rooms in turn", () => {
    assert.deepEqual([0, 3, 9, 10, 13].map((index) => roomOf(index, 10)), ["r0", "r3", "r9", "r0", "r3"]);
  });

  describe("cases", () => {
    it("opens 10,000 and 50,000 heartbeat sessions when the open-file limit allows", () => {
      const heartbeat = names(51000).filter((name) => name.startsWith("heartbeat"));
      assert.deepEqual(heartbeat, ["heartbeat 5 s, 10,000 idle sessions", "heartbeat 5 s, 50,000 idle sessions"]);
    });

    it("fits the connections to a limit that could not be raised, and runs one heartbeat case where both would be alike", () => {
      assert.ok(names(20000).includes("heartbeat 5 s, 19,000 idle sessions"));
      assert.deepEqual(names(11000).filter((name) => name.startsWith("heartbeat")), ["heartbeat 5 s, 10,000 idle sessions"]);
      assert.ok(names(5000).includes("4,000 idle connections"));
    });

    it("runs rooms and the heartbeat on ours and the bare server only", () => {
      for (const definition of benchCases(timing(51000))) {
        const withoutCore = definition.name.startsWith("room") || definition.name.startsWith("heartbeat");
        assert.equal(definition.targets.includes("core"), !withoutCore, definition.name);
        assert.equal(definition.targets.includes("ours"), true, definition.name);
      }
    });

    it("holds the heartbeat sessions idle for whole intervals", () => {
      const at = { idleHeartbeat: "ws://x/hb" } as Endpoints;
      const spec = benchCases(timing(51000)).find((definition) => definition.name.startsWith("heartbeat"))!.spec(at);
      assert.deepEqual(spec, { kind: "idle", url: "ws://x/hb", count: 10000, concurrency: 100, holdMs: 10000 });
    });

    it("leaves the cases with newer options out of an A/B run against a ref unless --only picks them", () => {
      const cases = benchCases(timing(51000));
      const run = (only: string, kind: RunKind): string[] => casesToRun(cases, only, kind, false).map((definition) => definition.name);
      assert.equal(run("", "side-by-side").length, cases.length);
      assert.deepEqual(
        run("", "against-ref").filter((name) => name.startsWith("room") || name.startsWith("heartbeat") || name.startsWith("compressed")),
        [],
      );
      assert.ok(run("", "against-ref").includes("opening 10,000 connections, events on"));
      assert.deepEqual(run("room", "against-ref"), ["room of 100 (1,000 clients in 10 rooms)"]);
      assert.deepEqual(run("compress", "against-ref"), ["compressed echo, 1 KiB JSON, client connection"]);
      assert.deepEqual(run("echo, 1 client", "against-ref"), ["echo, 1 client"]);
      assert.deepEqual(run("flood|echo, 256", "against-ref"), ["echo, 256 clients", "connect-mode inbound flood"], "either part, in the cases' order");
    });

    it("counts instructions on the message path and the opening of connections, and on each of those cases", () => {
      const cases = benchCases(timing(51000));
      const counted = casesToRun(cases, "", "against-ref", true);
      // Every case of a run against a ref has a counted figure; the heartbeat's are left out (below).
      assert.deepEqual(
        counted.map((definition) => definition.name),
        casesToRun(cases, "", "against-ref", false).map((definition) => definition.name),
      );
      assert.ok(["echo, 256 clients", "wholemsg echo, JSON, 16 clients", "connect-mode inbound flood", "10,000 idle connections"].every((name) => counted.some((definition) => definition.name === name)));
      const at = { echo: "ws://x/echo", wholeEcho: "ws://x/whole" } as Endpoints;
      const whole = (name: string): unknown => counted.find((definition) => definition.name === name)!.spec(at);
      assert.deepEqual([whole("wholemsg echo, 16 clients"), whole("wholemsg echo, JSON, 16 clients")].map((spec) => [(spec as { url: string }).url, (spec as { json?: boolean }).json]), [
        ["ws://x/whole", undefined],
        ["ws://x/whole", true],
      ], "plain text, which the in node puts in payload, and JSON objects, as whole-message clients send");
      // The heartbeat's are left out, --only or not; a run without --instructions takes them.
      assert.deepEqual(casesToRun(cases, "heartbeat", "against-ref", true), []);
      assert.equal(casesToRun(cases, "heartbeat", "against-ref", false).length, 2);
      const perMessage = counted.flatMap((definition) => definition.metrics.filter((metric) => metric.counted));
      assert.equal(perMessage.length, counted.length);
      const result = { measured: { count: 2000, seconds: 1 }, cpu: 1, instructions: 50_000_000 };
      assert.deepEqual(
        perMessage.map((metric) => metric.read(result)),
        counted.map(() => 25000),
      );
    });
  });
});
