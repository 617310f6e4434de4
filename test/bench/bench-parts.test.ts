import assert from "node:assert/strict";
import { once } from "node:events";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { type WebSocket, WebSocketServer } from "ws";
import { abTable, gain, pairedRatios, SETTINGS_AB } from "../../bench/ab-report";
import { RawClient, textFrame } from "../../bench/raw-client";
import { summarize, table, type Row } from "../../bench/report";
import { scalingTables } from "../../bench/scaling";
import { schedule } from "../../bench/schedule";
import { SourceAddresses } from "../../bench/source-addresses";

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

    const connected = (): Promise<[WebSocket, IncomingMessage]> => once(wss, "connection") as Promise<[WebSocket, IncomingMessage]>;
    const url = (): string => `ws://127.0.0.1:${(http.address() as AddressInfo).port}/`;

    it("answers pings with their payload, and does not count them", async () => {
      const connection = connected();
      client = await RawClient.open(url());
      const [socket] = await connection;
      let counted = 0;
      client.onFrames = (frames) => (counted += frames);
      const pongs: string[] = [];
      socket.on("pong", (data) => pongs.push(String(data)));
      socket.ping();
      socket.ping("beat");
      socket.send("data");
      await new Promise<void>((resolve) => socket.on("pong", () => pongs.length === 2 && resolve()));
      assert.deepEqual(pongs, ["", "beat"]);
      assert.equal(counted, 1);
    });

    it("closes with a close frame (1000) and lets the server end the connection", async () => {
      const connection = connected();
      client = await RawClient.open(url());
      const [socket] = await connection;
      const closed = once(socket, "close") as Promise<[number, Buffer]>;
      await client.close();
      const [code] = await closed;
      assert.equal(code, 1000);
      assert.equal(client.socket.destroyed, true);
    });

    it("sends the headers it is given in its handshake", async () => {
      const connection = connected();
      client = await RawClient.open(url(), undefined, { Authorization: "Bearer t0ken" });
      const [, request] = await connection;
      assert.equal(request.headers.authorization, "Bearer t0ken");
    });

    it("connects from the source address it is given", async () => {
      const connection = connected();
      client = await RawClient.open(url(), "127.0.0.2");
      const [, request] = await connection;
      assert.equal(request.socket.remoteAddress, "127.0.0.2");
    });
  });

  it("takes source addresses in turn, so many per address, from 127.0.0.2 to 127.0.0.254 and round again", () => {
    const addresses = new SourceAddresses(2);
    assert.deepEqual(Array.from({ length: 5 }, () => addresses.next()), ["127.0.0.2", "127.0.0.2", "127.0.0.3", "127.0.0.3", "127.0.0.4"]);
    const wrapping = new SourceAddresses(1);
    const all = Array.from({ length: 254 }, () => wrapping.next());
    assert.deepEqual([all[0], all[252], all[253]], ["127.0.0.2", "127.0.0.254", "127.0.0.2"]);
  });

  describe("scaling", () => {
    const row = (caseName: string, metric: string, ours: number[], bare: number[], growsWithCount = false): Row => ({
      caseName,
      metric,
      higherIsBetter: false,
      samples: { core: [], ours, bare },
      growsWithCount,
    });

    it("sets the figures at the smallest and largest count side by side, with their ratio and what linear growth would give", () => {
      const printed = scalingTables(
        [row("hb 10k", "KiB/session", [4, 4.2, 3.8], [1]), row("hb 20k", "KiB/session", [4.4], [1]), row("hb 10k", "CPU ms/s", [40], [], true), row("hb 20k", "CPU ms/s", [84], [], true)],
        [
          { caseName: "hb 20k", group: "hb", count: 20000 },
          { caseName: "hb 10k", group: "hb", count: 10000 },
        ],
      );
      const lines = printed.split("\n");
      assert.match(lines[0]!, /^\| metric +\| target \| at 10,000 \| at 20,000 \| ratio \| if linear \|$/);
      assert.deepEqual(
        lines.slice(2).map((line) => line.split("|").slice(1, -1).map((cell) => cell.trim())),
        [
          ["KiB/session", "ours", "4.00", "4.40", "1.10×", "1.00×"],
          ["KiB/session", "bare", "1.00", "1.00", "1.00×", "1.00×"],
          ["CPU ms/s", "ours", "40.0", "84.0", "2.10×", "2.00×"],
        ],
      );
    });

    it("prints nothing for a group that ran at one count", () => {
      assert.equal(scalingTables([row("hb 10k", "m", [1], [1])], [{ caseName: "hb 10k", group: "hb", count: 10000 }]), "");
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

  describe("A/B report", () => {
    it("takes now/ref within each repeat, leaving out pairs with a figure at or below zero", () => {
      assert.deepEqual(pairedRatios([110, 90, 100], [100, 100, 50]), [1.1, 0.9, 2]);
      assert.deepEqual(pairedRatios([5, 0, 6, -1], [5, 5, 0, 2]), [1]);
      assert.deepEqual(pairedRatios([1, 2, 3], [1]), [1]);
    });

    it("says a ratio above 1 is better when higher is better, and worse when lower is", () => {
      assert.equal(gain(1.25, true), 0.25);
      assert.equal(gain(1.25, false), -0.25);
      assert.equal(gain(0.75, false), 0.25);
    });

    it("prints each build's median with its range, the median ratio with its range, and the change", () => {
      const printed = abTable([
        { caseName: "echo", metric: "round trips/s", higherIsBetter: true, tested: [100, 102, 96], baseline: [100, 100, 100] },
      ]);
      const lines = printed.split("\n");
      assert.match(lines[0]!, /^\| case +\| metric +\| now +\| ref +\| now\/ref +\| change +\|$/);
      assert.match(lines[2]!, /^\| echo \| round trips\/s \(higher is better\) \| 100 \[96\.0-102\] \| 100 \[100-100\] \| 1\.000× \[0\.960-1\.020\] \| even +\|$/);
    });

    it("marks a loss over 5%, and only over it", () => {
      const change = (higherIsBetter: boolean, now: number, ref: number): string =>
        abTable([{ caseName: "c", metric: "m", higherIsBetter, tested: [now], baseline: [ref] }]).split("\n")[2]!.split("|")[6]!.trim();
      assert.equal(change(false, 10.6, 10), "6.0% worse, over 5%");
      assert.equal(change(true, 94, 100), "6.0% worse, over 5%");
      assert.equal(change(true, 95, 100), "5.0% worse");
      assert.equal(change(false, 9.5, 10), "5.0% better");
      assert.equal(change(true, 103, 100), "3.0% better");
    });

    it("heads a settings A/B's columns defaults and off, and marks a loss over 3% there", () => {
      const lines = (now: number): string[] =>
        abTable([{ caseName: "c", metric: "m", higherIsBetter: true, tested: [now], baseline: [100] }], SETTINGS_AB).split("\n");
      assert.match(lines(100)[0]!, /^\| case +\| metric +\| defaults +\| off +\| defaults\/off +\| change +\|$/);
      const change = (now: number): string => lines(now)[2]!.split("|")[6]!.trim();
      assert.equal(change(96), "4.0% worse, over 3%");
      assert.equal(change(97), "3.0% worse");
      assert.equal(change(103), "3.0% better");
    });

    it("leaves the ratio empty where a build has no runs", () => {
      const printed = abTable([{ caseName: "c", metric: "m", higherIsBetter: true, tested: [1], baseline: [] }]);
      assert.match(printed.split("\n")[2]!, /^\| c +\| m \(higher is better\) \| 1\.00 \[1\.00-1\.00\] \| +\| +\| +\|$/);
    });
  });
});
