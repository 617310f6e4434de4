import assert from "node:assert/strict";
import { once } from "node:events";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { WebSocketServer } from "ws";
import { RawClient, textFrame } from "../../bench/raw-client";
import { summarize, table } from "../../bench/report";
import { schedule } from "../../bench/schedule";

describe("the benchmark's parts", () => {
  describe("RawClient", () => {
    let http: Server;
    let wss: WebSocketServer;
    let client: RawClient | undefined;

    beforeEach(async () => {
      http = createServer();
      wss = new WebSocketServer({ server: http });
      http.listen(0, "127.0.0.1");
      await once(http, "listening");
    });

    afterEach(async () => {
      await client?.close();
      wss.clients.forEach((socket) => socket.terminate());
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    });

    it("sends frames a ws server reads, and counts frames of every length form", async () => {
      const sizes = [0, 5, 125, 126, 65535, 70000, 1];
      const echoed: string[] = [];
      wss.on("connection", (socket) => {
        socket.on("message", (data) => {
          echoed.push(String(data));
          // One reply of each size, written in one go so frames share and split TCP chunks.
          for (const size of sizes) {
            socket.send(Buffer.alloc(size, 1));
          }
        });
      });
      client = await RawClient.open(`ws://127.0.0.1:${(http.address() as AddressInfo).port}/`);
      let counted = 0;
      const all = new Promise<void>((resolve) => {
        client!.onFrames = (frames) => {
          counted += frames;
          if (counted >= sizes.length) {
            resolve();
          }
        };
      });
      client.send(textFrame("hello"));
      await all;
      assert.deepEqual(echoed, ["hello"]);
      assert.equal(counted, sizes.length);
    });
  });

  describe("report", () => {
    it("summarizes runs as median and range", () => {
      assert.deepEqual(summarize([3, 1, 2]), { median: 2, min: 1, max: 3 });
      assert.deepEqual(summarize([4, 1, 2, 3]), { median: 2.5, min: 1, max: 4 });
      assert.equal(summarize([]), undefined);
    });

    it("prints the ratio of the medians, ours/core", () => {
      const printed = table([
        { caseName: "echo", metric: "round trips/s", higherIsBetter: true, samples: { core: [100, 110, 90], ours: [250, 240, 260], bare: [] } },
      ]);
      assert.match(printed, /\| echo +\| round trips\/s \(higher is better\) +\| 100 \[90.0-110\] +\| 250 \[240-260\] +\| 2\.50× +\|/);
    });
  });

  describe("schedule", () => {
    const order = <T>(targets: T[], repeats: number): string =>
      schedule(targets, repeats)
        .map((run) => `${String(run.target)}${run.repeat}`)
        .join(" ");

    it("interleaves two targets, who goes first alternating between repeats", () => {
      assert.equal(order(["now", "ref"], 4), "now0 ref0 ref1 now1 now2 ref2 ref3 now3");
    });

    it("rotates three targets, each first once in three repeats", () => {
      assert.equal(order(["core", "ours", "bare"], 3), "core0 ours0 bare0 ours1 bare1 core1 bare2 core2 ours2");
    });

    it("runs each target once for one repeat, and nothing for none", () => {
      assert.equal(order(["now", "ref"], 1), "now0 ref0");
      assert.deepEqual(schedule(["now", "ref"], 0), []);
    });
  });
});
