import assert from "node:assert/strict";
import { once } from "node:events";
import { deflateRawSync } from "node:zlib";
import WebSocket from "ws";
import { benchCases, type Endpoints, type Timing } from "../../bench/cases";
import { COMPRESSION_THRESHOLD, compressibleMessages } from "../../bench/compressible";
import { runCompressedEcho } from "../../bench/compressed-echo";
import { benchFlows } from "../../bench/flows";
import { PeerServer } from "../../bench/peer-server";
import type { CompressedEchoCase } from "../../bench/protocol";

const timing: Timing = { warmupMs: 1, durationMs: 1, floodMessages: 1, floodWarmupMessages: 1, heartbeatBeats: 2, fileLimit: 51000 };

describe("the benchmark's compressed echo", () => {
  it("sends different messages of at least the threshold, which deflate shrinks", () => {
    const messages = compressibleMessages(64);
    assert.equal(new Set(messages).size, 64);
    for (const message of messages) {
      assert.ok(message.length >= COMPRESSION_THRESHOLD && message.length < COMPRESSION_THRESHOLD + 200, `${message.length} bytes`);
      assert.equal(Buffer.byteLength(message), message.length);
      assert.ok(Array.isArray(JSON.parse(message)));
      assert.ok(deflateRawSync(message).length < message.length / 2, "not compressible enough");
    }
    assert.deepEqual(compressibleMessages(2), compressibleMessages(2), "the same on every run");
  });

  describe("flows and case", () => {
    const flows = benchFlows({ flood: 1234, deflate: 1235 }, { implementations: ["core", "ours"], floodPrefix: "/x" });
    const byId = new Map(flows.map((node) => [node.id, node]));

    it("connects a client of each to the deflate server, ours with compression on at its default threshold, core's as it comes", () => {
      assert.equal(byId.get("ours-deflate-c")?.path, "ws://127.0.0.1:1235/x/deflate/ours");
      assert.equal(byId.get("ours-deflate-c")?.compression, true);
      assert.equal("compressionThreshold" in byId.get("ours-deflate-c")!, false);
      assert.equal(byId.get("core-deflate-c")?.path, "ws://127.0.0.1:1235/x/deflate/core");
      assert.equal("compression" in byId.get("core-deflate-c")!, false);
      for (const impl of ["core", "ours"]) {
        assert.deepEqual(byId.get(`${impl}-deflate-in`)?.wires, [[`${impl}-deflate-drop`]]);
        assert.deepEqual(byId.get(`${impl}-deflate-drop`)?.wires, [[`${impl}-deflate-out`]]);
        assert.equal(byId.get(`${impl}-deflate-out`)?.client, `${impl}-deflate-c`);
      }
    });

    it("runs on core and ours, and reads the bytes on the wire besides the echo's figures", () => {
      const compressed = benchCases(timing).find((definition) => definition.name.startsWith("compressed"))!;
      assert.deepEqual(compressed.targets, ["core", "ours"]);
      assert.deepEqual(compressed.spec({ deflate: "/x/deflate/ours" } as Endpoints), {
        kind: "compressed-echo",
        path: "/x/deflate/ours",
        inflight: 8,
        warmupMs: 1,
        durationMs: 1,
      });
      assert.deepEqual(
        compressed.metrics.map((metric) => metric.metric),
        ["round trips/s", "p50 RTT ms", "p99 RTT ms", "server CPU µs/msg", "server instructions/msg", "wire bytes/msg from Node-RED"],
      );
    });
  });

  describe("run against a ws client that echoes", () => {
    let server: PeerServer;
    let client: WebSocket | undefined;
    const spec: CompressedEchoCase = { kind: "compressed-echo", path: "/deflate/test", inflight: 8, warmupMs: 20, durationMs: 200 };

    beforeEach(async () => {
      server = await PeerServer.listen({ threshold: COMPRESSION_THRESHOLD });
    });

    afterEach(async () => {
      client?.terminate();
      server.close();
    });

    /** Connects as Node-RED's client connection does, echoing every message back, compressed if `compress` and agreed on. */
    const echoingClient = async (perMessageDeflate: boolean, compress = true): Promise<void> => {
      const connected = new Promise<void>((resolve) => (server.onConnected = () => resolve()));
      client = new WebSocket(`ws://127.0.0.1:${server.port}${spec.path}`, { perMessageDeflate });
      client.on("message", (data) => client!.send(String(data), { compress }));
      await Promise.all([once(client, "open"), connected]);
    };

    it("completes where both sides compress, and waits for the messages on their way", async () => {
      // ws's client default, as core's client has it: permessage-deflate offered.
      await echoingClient(true);
      await runCompressedEcho(spec, server.peer(spec.path));
      let late = 0;
      client!.on("message", () => late++);
      await new Promise((resolve) => setTimeout(resolve, 50));
      assert.equal(late, 0, "messages still came after the run");
    });

    it("fails where the client does not offer permessage-deflate", async () => {
      await echoingClient(false);
      await assert.rejects(runCompressedEcho(spec, server.peer(spec.path)), /permessage-deflate was not negotiated \(extensions: ""\)/);
    });

    it("fails where the extension is agreed on but the replies go uncompressed", async () => {
      await echoingClient(true, false);
      await assert.rejects(runCompressedEcho(spec, server.peer(spec.path)), /Node-RED's replies took \d+ bytes each on the wire .*: not compressed/);
    });
  });
});
