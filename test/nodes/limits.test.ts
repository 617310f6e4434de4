import assert from "node:assert/strict";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { connect, type NetConnectOpts, type Socket } from "node:net";
import WebSocket, { type ClientOptions } from "ws";
import { FrameBits } from "../support/frame-bits";
import { flowsocketNodes, helper, onTab, Sink, type FlowNode } from "../support/red";
import { TestClient, withTimeout } from "../support/peers";
import { countUpgradeAnswers, silentPeer } from "../support/raw-upgrade";
import { callsOf } from "../support/spies";

const PATH = "/ws/limits";
type Msg = Record<string, unknown>;

function url(): string {
  return `${helper.url().replace("http", "ws")}${PATH}`;
}

/** A listener (with `limits`), its in node with events on feeding a sink, and an out node that echoes. */
function flow(limits: Record<string, unknown> = {}): FlowNode[] {
  return [
    { id: "listener", type: "flowsocket-listener", path: PATH, wholemsg: "false", ...limits },
    { id: "in", type: "flowsocket-in", server: "listener", events: true, wires: [["sink", "out"]] },
    { id: "out", type: "flowsocket-out", server: "listener" },
    { id: "broadcast", type: "flowsocket-out", server: "listener" },
    { id: "sink", type: "helper" },
  ];
}

/** V8 heap and external memory after a full collection, in bytes. */
function heldMemory(): number {
  setFlagsFromString("--expose-gc");
  (runInNewContext("gc") as () => void)();
  const { heapUsed, external } = process.memoryUsage();
  return heapUsed + external;
}

describe("limits on an open network", () => {
  const clients: TestClient[] = [];
  let sink: Sink;

  async function load(nodes: FlowNode[]): Promise<void> {
    await helper.load([flowsocketNodes], onTab(nodes));
    sink = new Sink(helper.getNode("sink"));
  }

  async function client(): Promise<TestClient> {
    const opened = await TestClient.open(url());
    clients.push(opened);
    return opened;
  }

  const event = async (kind: string, count = 1): Promise<Msg> => (await sink.waitForKind(kind, count, 10000)) as Msg;

  /** The other client still gets its echo: nothing else was taken down. */
  async function stillEchoes(peer: TestClient): Promise<void> {
    const before = peer.received.length;
    peer.send("still here");
    assert.equal((await peer.frame(before + 1)).data, "still here");
  }

  before(() => helper.startServer());
  after(() => helper.stopServer());
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close()));
    await helper.unload();
  });

  it("takes a 16 MiB message by default and closes one a byte larger with 1009, cause limit", async () => {
    await load(flow());
    const other = await client();
    const big = await client();
    big.send(Buffer.alloc(16 * 1024 * 1024));
    assert.equal(((await big.frame(1, 10000)).data as Buffer).length, 16 * 1024 * 1024, "echoed whole");
    const closed = big.closedByPeer(10000);
    big.send(Buffer.alloc(16 * 1024 * 1024 + 1));
    assert.equal((await closed).code, 1009);
    const disconnect = await event("disconnect");
    assert.deepEqual([disconnect.cause, disconnect.limit], ["limit", "maxPayload"]);
    await stillEchoes(other);
  });

  it("keeps to a smaller maxPayload it is given", async () => {
    await load(flow({ maxPayload: "1024" }));
    const peer = await client();
    const closed = peer.closedByPeer();
    peer.send("x".repeat(1025));
    assert.equal((await closed).code, 1009);
  });

  it("compresses only when told to, and holds a compressed message to maxPayload once inflated", async () => {
    await load(flow());
    const plain = await TestClient.open(url(), [], { perMessageDeflate: true });
    clients.push(plain);
    assert.equal(plain.socket.extensions, "", "off by default");
    await helper.unload();
    await load(flow({ compression: true, compressionThreshold: "64", maxPayload: "1048576" }));
    let bits: FrameBits | undefined;
    const createConnection = (options: NetConnectOpts): Socket => {
      const socket = connect(options);
      bits = new FrameBits(socket, true);
      return socket;
    };
    const deflating = await TestClient.open(url(), [], { perMessageDeflate: true, createConnection } as ClientOptions);
    clients.push(deflating);
    assert.match(deflating.socket.extensions, /permessage-deflate/);
    deflating.send("small, echoed");
    assert.equal((await deflating.frame(1)).data, "small, echoed");
    deflating.send("x".repeat(200));
    assert.equal((await deflating.frame(2)).data, "x".repeat(200));
    assert.deepEqual(bits!.compressed, [false, true], "the echo of 13 bytes went as it was, the one of 200 compressed (threshold 64)");
    // 8 MiB of one letter deflates to a few KiB on the wire: the limit is on what it inflates to.
    const closed = deflating.closedByPeer();
    deflating.send("a".repeat(8 * 1024 * 1024));
    assert.equal((await closed).code, 1009);
    const disconnect = await event("disconnect");
    assert.deepEqual([disconnect.cause, disconnect.limit], ["limit", "maxPayload"]);
  });

  it("refuses a handshake past maxSessions with 503, and takes one again once a session closes", async () => {
    await load(flow({ maxSessions: "2" }));
    const first = await client();
    await client();
    await event("connect", 2);
    assert.match((await countUpgradeAnswers(url()).catch((error: Error) => ({ statusLine: error.message }))).statusLine, /503/);
    const error = await event("error");
    assert.match((error.error as { message: string }).message, /2 sessions/);
    assert.equal((error.error as { limit?: string }).limit, "maxSessions");
    await first.close();
    await event("disconnect");
    await client();
    await event("connect", 3);
  });

  it("closes a session over its message rate with 1008, cause limit, after delivering its burst", async () => {
    await load(flow({ rateLimit: "2", rateBurst: "5" }));
    const other = await client();
    const flooder = await client();
    const closed = flooder.closedByPeer();
    for (let i = 0; i < 50; i++) {
      flooder.send(`m${i}`);
    }
    assert.equal((await closed).code, 1008);
    const disconnect = await event("disconnect");
    assert.deepEqual([disconnect.cause, disconnect.limit], ["limit", "rate"]);
    const delivered = (sink.messages as Msg[]).filter((msg) => typeof msg.payload === "string" && (msg.payload as string).startsWith("m"));
    assert.ok(delivered.length >= 5 && delivered.length < 10, `${delivered.length} of 50 let in`);
    await stillEchoes(other);
  });

  it("holds a client that never reads to its high-water mark while another gets every broadcast", async function () {
    this.timeout(60000);
    /**
     * Broadcasts 20,000 messages of 1 KiB to a fast client that counts them
     * (keeping none), with or without a client that never reads; resolves
     * with the memory held afterwards, over what it was before.
     */
    const run = async (withSlow: boolean): Promise<number> => {
      await load(flow());
      const slow = withSlow ? await silentPeer(url()) : undefined;
      const fast = new WebSocket(url());
      let got = 0;
      fast.on("message", () => got++);
      await new Promise((resolve, reject) => fast.once("open", resolve).once("error", reject));
      try {
        await event("connect", withSlow ? 2 : 1);
        const before = heldMemory();
        const total = 20000;
        const kib = "k".repeat(1024);
        const broadcast = helper.getNode("broadcast");
        for (let i = 0; i < total; i++) {
          broadcast.receive({ payload: kib });
          if (i % 200 === 199) {
            // Let the writes go out and the fast client read, as a real flow's pace would.
            await new Promise((resolve) => setImmediate(resolve));
          }
        }
        await withTimeout(
          new Promise<void>((resolve) => {
            const check = (): void => (got >= total ? resolve() : void setTimeout(check, 20));
            check();
          }),
          30000,
          `${total} broadcasts at the fast client`,
        );
        return heldMemory() - before;
      } finally {
        fast.close();
        slow?.destroy();
      }
    };
    // The test harness keeps a record of every message it injects, so what
    // the slow client costs is the difference between two runs; a first run
    // lets go of what earlier tests left behind, so it does not count.
    await run(false);
    await helper.unload();
    const without = await run(false);
    await helper.unload();
    const withSlow = await run(true);
    const cost = withSlow - without;
    assert.ok(cost < 4 * 1024 * 1024, `the slow client holds ${(cost / 1048576).toFixed(1)} MiB`);
    assert.deepEqual(callsOf(helper.getNode("listener"), "warn"), ["flowsocket.errors.drops-start"], "one line for the episode, not one per drop");
    const status = callsOf(helper.getNode("in"), "status").at(-1) as { text: string };
    assert.equal(status.text, "flowsocket.status.with-drops");
  });

  it("closes a client that never reads when the policy says so, cause limit", async () => {
    await load(flow({ backpressure: "close", highWaterMark: "65536" }));
    const slow = await silentPeer(url());
    try {
      await event("connect");
      const chunk = "c".repeat(16 * 1024);
      const broadcast = helper.getNode("broadcast");
      for (let i = 0; i < 2000 && (sink.messages as Msg[]).every((msg) => msg.event !== "disconnect"); i++) {
        broadcast.receive({ payload: chunk });
        if (i % 50 === 49) {
          await new Promise((resolve) => setImmediate(resolve));
        }
      }
      slow.destroy();
      const disconnect = await event("disconnect");
      assert.deepEqual([disconnect.cause, disconnect.limit], ["limit", "backpressure"]);
    } finally {
      slow.destroy();
    }
  });

  it("writes one log line per kind of failure, however many peers fail alike", async () => {
    await load(flow());
    const warnings: unknown[] = [];
    helper.getNode("listener").on("call:warn", (call: { args: unknown[] }) => warnings.push(call.args[0]));
    const other = await client();
    const raws = await Promise.all(Array.from({ length: 40 }, () => silentPeer(url())));
    const mask = [9, 9, 9, 9];
    for (const raw of raws) {
      // Invalid UTF-8 in a text frame: each session fails with the same error.
      raw.write(Buffer.from([0x81, 0x81, ...mask, 0xff ^ 9]));
    }
    await event("error", 40);
    raws.forEach((raw) => raw.destroy());
    // The count of the other 39 is written at the end of the minute, or when the listener stops (see log-digest tests).
    assert.deepEqual(warnings, ["flowsocket.errors.session-error"]);
    await stillEchoes(other);
  });
});
