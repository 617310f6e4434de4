import { ALL } from "../../nodes/transport/target";
import assert from "node:assert/strict";
import { once } from "node:events";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { ServerEndpoint } from "../../nodes/transport/server-endpoint";
import { UpgradeRouter } from "../../nodes/transport/upgrade-router";
import { WriteBatch } from "../../nodes/transport/write-batch";
import { TestClient } from "../support/peers";
import { Recorder } from "../support/recorder";

describe("write batching", () => {
  let http: Server;
  let router: UpgradeRouter;
  let recorder: Recorder;
  let endpoint: ServerEndpoint;
  let base: string;
  const clients: TestClient[] = [];

  beforeEach(async () => {
    http = createServer();
    http.listen(0, "127.0.0.1");
    await once(http, "listening");
    base = `ws://127.0.0.1:${(http.address() as AddressInfo).port}/ws`;
    router = new UpgradeRouter(http);
    recorder = new Recorder();
    // Room enough for a slow client to lag without its messages being dropped
    // (backpressure has its own tests): these are about batching and order.
    endpoint = new ServerEndpoint(recorder, { limits: { highWaterMark: 64 * 1024 * 1024, backpressure: "drop" } });
    router.add("/ws", endpoint);
  });

  afterEach(async () => {
    await Promise.all(clients.splice(0).map((client) => client.close()));
    router.remove("/ws", endpoint);
    await endpoint.stop();
    http.closeAllConnections();
    await new Promise<void>((resolve) => http.close(() => resolve()));
  });

  async function client(): Promise<TestClient> {
    const opened = await TestClient.open(base);
    clients.push(opened);
    return opened;
  }

  // The batch works on any `ws` socket: these two drive a client's.
  it("sends the first frame of a turn at once and holds the rest until the turn ends", async () => {
    const { socket, tcp } = await client();
    const batch = new WriteBatch();
    batch.hold(tcp);
    assert.equal(tcp.writableCorked, 0, "the first write of the turn is not held");
    socket.send("first");
    batch.hold(tcp);
    assert.equal(tcp.writableCorked, 1, "later writes are held");
    socket.send("second");
    batch.hold(tcp);
    socket.send("third");
    assert.equal(tcp.writableCorked, 1, "held once, however many writes");
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(tcp.writableCorked, 0, "released when the turn ends");
    await recorder.wait("message", 3);
    assert.deepEqual(recorder.of("message").map((event) => event.frame), ["first", "second", "third"]);
  });

  it("holds the first frame too once a turn was busy, and lets go again when traffic is light", async () => {
    const { socket, tcp } = await client();
    const batch = new WriteBatch();
    const turn = async (writes: number): Promise<number> => {
      batch.hold(tcp);
      const corkedAtFirst = tcp.writableCorked;
      socket.send("x");
      for (let i = 1; i < writes; i++) {
        batch.hold(tcp);
        socket.send("x");
      }
      await new Promise((resolve) => setImmediate(resolve));
      return corkedAtFirst;
    };
    assert.equal(await turn(40), 0, "a quiet start: the first frame goes at once");
    assert.equal(await turn(2), 1, "after a busy turn the first frame is held as well");
    assert.equal(await turn(1), 0, "after a light turn it goes at once again");
    await recorder.wait("message", 43);
  });

  it("keeps text and binary frames in order across turns", async () => {
    const peer = await client();
    const { session } = await recorder.wait("open");
    const expected: (string | Buffer)[] = [];
    for (let turn = 0; turn < 20; turn++) {
      for (let i = 0; i < 25; i++) {
        const frame = i % 3 === 0 ? Buffer.from([turn, i]) : `t${turn}.${i}`;
        expected.push(frame);
        endpoint.send(frame, { kind: "session", id: session.id }, () => undefined);
      }
      await new Promise((resolve) => setImmediate(resolve));
    }
    await peer.frame(expected.length);
    assert.deepEqual(peer.received.map((frame) => frame.data), expected);
    assert.deepEqual(peer.received.map((frame) => frame.isBinary), expected.map((frame) => Buffer.isBuffer(frame)));
  });

  it("broadcasts to fast clients at full pace while a slow one lags, and the slow one gets everything in order", async () => {
    const fast = await Promise.all([client(), client(), client()]);
    const slow = await client();
    await recorder.wait("open", 4);
    // The slow client stops reading: its TCP buffers fill and the server's writes to it back up.
    slow.tcp.pause();
    const payload = "é✓ ".repeat(1500);
    const total = 1500;
    let completed = 0;
    for (let i = 0; i < total; i++) {
      const frame = i % 10 === 0 ? Buffer.from(`${i} binary`) : `${i} ${payload}`;
      endpoint.send(frame, ALL, (error) => {
        assert.ifError(error);
        completed++;
      });
      if (i % 50 === 49) {
        await new Promise((resolve) => setImmediate(resolve));
      }
    }
    assert.equal(completed, total, "a broadcast is done once queued: the slow client holds nothing back");
    for (const member of fast) {
      await member.frame(total);
    }
    assert.equal(slow.received.length < total, true, "the slow client is behind");
    slow.tcp.resume();
    await slow.frame(total, 20000);
    for (const member of [...fast, slow]) {
      member.received.forEach((frame, i) => {
        assert.equal(frame.isBinary, i % 10 === 0);
        assert.equal(String(frame.data).split(" ")[0], String(i));
      });
      assert.equal(member.received[1]!.data, `1 ${payload}`, "text arrives whole, accents and all");
    }
  });

  it("sends the frames it held before the close when the endpoint stops", async () => {
    const peer = await client();
    const { session } = await recorder.wait("open");
    const closed = peer.closedByPeer();
    for (const frame of ["a", "b", "c"]) {
      endpoint.send(frame, { kind: "session", id: session.id }, () => undefined);
    }
    await endpoint.stop();
    assert.equal((await closed).code, 1001);
    assert.deepEqual(peer.received.map((frame) => frame.data), ["a", "b", "c"]);
  });

  it("reports a reply to a session that dropped meanwhile as FLOWSOCKET_ERR_SESSION_GONE", async () => {
    await client();
    const { session } = await recorder.wait("open");
    void session.close(1000, "", "flow");
    const error = await new Promise<Error | null | undefined>((resolve) => endpoint.send("late", { kind: "session", id: session.id }, resolve));
    assert.equal((error as { code?: string } | undefined)?.code, "FLOWSOCKET_ERR_SESSION_GONE");
  });
});
