import assert from "node:assert/strict";
import { once } from "node:events";
import { FrameBits } from "../support/frame-bits";
import { SilentServer, TestServer, withTimeout } from "../support/peers";
import { flowsocketNodes, helper, onTab, Sink, type FlowNode } from "../support/red";
import { callsOf, errorsOf, nextError, statusMatching } from "../support/spies";

type Msg = Record<string, unknown>;

/**
 * A client config, an in node with events on feeding a sink, and an out node
 * with control and results on, whose output feeds another sink.
 */
function flow(url: string, client: Record<string, unknown> = {}, inNode: Record<string, unknown> = {}, outNode: Record<string, unknown> = {}): FlowNode[] {
  return [
    { id: "client", type: "flowsocket-client", path: url, wholemsg: "false", hb: "0", subprotocol: "", tls: "", headers: [], ...client },
    { id: "in", type: "flowsocket-in", client: "client", events: true, wires: [["sink"]], ...inNode },
    { id: "out", type: "flowsocket-out", client: "client", control: true, results: true, wires: [["results"]], ...outNode },
    { id: "sink", type: "helper" },
    { id: "results", type: "helper" },
  ];
}

describe("client connections a flow controls", () => {
  let a: TestServer;
  let b: TestServer;
  let sink: Sink;

  async function load(nodes: FlowNode[]): Promise<void> {
    await helper.load([flowsocketNodes], onTab(nodes));
    sink = new Sink(helper.getNode("sink"));
  }

  const events = (kind: string): Msg[] => sink.of(kind) as Msg[];
  const waitForEvent = async (kind: string, count = 1): Promise<Msg> => (await sink.waitForKind(kind, count, 8000)) as Msg;

  /** Sends an action to the out node and resolves with its result or its error. */
  function act(msg: Msg): Promise<{ error?: Error }> {
    const out = helper.getNode("out");
    return new Promise((resolve) => {
      const results = new Sink(helper.getNode("results"));
      void nextError(out).then(({ error }) => resolve({ error: error as Error }), () => undefined);
      void results.waitFor(1).then(() => resolve({}), () => undefined);
      out.receive(msg);
    });
  }

  before(async () => {
    await helper.startServer();
    [a, b] = await Promise.all([TestServer.start(), TestServer.start()]);
  });
  after(async () => {
    await Promise.all([a.stop(), b.stop()]);
    await helper.stopServer();
  });
  afterEach(() => helper.unload());

  it("waits for a connect action when it does not connect automatically", async () => {
    await load(flow(a.url, { autoConnect: false }));
    await statusMatching(helper.getNode("in"), (status) => status.text === "flowsocket.status.idle");
    const before = a.connections.length;
    assert.deepEqual(await act({ action: "connect" }), {});
    await a.connection(before + 1);
    await waitForEvent("connect");
  });

  it("refuses a connect while connected, unless forced, which moves it to the message's URL, headers and subprotocol", async () => {
    await load(flow(a.url));
    await waitForEvent("connect");
    const { error } = await act({ action: "connect", url: b.url });
    assert.equal(error?.message, "flowsocket.errors.already-connected");
    const before = b.connections.length;
    const result = await act({
      action: "connect",
      force: true,
      url: `${b.url}/other?x=1`,
      subprotocol: "chat",
      headers: [{ keyType: "other", keyValue: "X-From", valueType: "other", valueValue: "flow" }],
    });
    assert.deepEqual(result, {});
    await b.connection(before + 1);
    const request = b.requests[before]!;
    assert.equal(request.url, "/other?x=1");
    assert.equal(request.headers["x-from"], "flow");
    assert.equal(request.headers["sec-websocket-protocol"], "chat");
    const disconnect = await waitForEvent("disconnect");
    assert.equal(disconnect.cause, "flow", "the first connection was closed by the flow");
    const second = await waitForEvent("connect", 2);
    assert.equal((second._session as { id: string }).id !== (events("connect")[0]!._session as { id: string }).id, true);
  });

  it("disconnects with 1000 and stays down until the next connect", async () => {
    await load(flow(a.url, { reconnectDelay: "0.05" }));
    await waitForEvent("connect");
    const peer = a.connections.at(-1)!;
    const closed = once(peer, "close");
    const before = a.connections.length;
    assert.deepEqual(await act({ action: "disconnect" }), {});
    assert.equal(((await closed) as [number])[0], 1000);
    assert.equal((await waitForEvent("disconnect")).cause, "flow");
    await statusMatching(helper.getNode("in"), (status) => status.text === "flowsocket.status.stopped-by-flow");
    // Retries would come after 50 ms: none may come within ten times that.
    await new Promise((resolve) => setTimeout(resolve, 500));
    assert.equal(a.connections.length, before);
    await act({ action: "connect" });
    await a.connection(before + 1);
  });

  it("fails an attempt that takes longer than its connect timeout, as a timeout", async () => {
    const silent = await SilentServer.start();
    try {
      await load(flow(`ws://127.0.0.1:${silent.port}/`, { connectTimeout: "0.2" }));
      const error = await waitForEvent("error");
      assert.equal((error.error as { failure: string }).failure, "timeout");
      await silent.accepted(2);
    } finally {
      await helper.unload();
      await silent.stop();
    }
  });

  it("gives up after its attempt limit, says so, and connects again when told", async () => {
    const dropper = await SilentServer.start({ drop: true });
    try {
      await load(flow(`ws://127.0.0.1:${dropper.port}/`, { reconnectDelay: "0.05", reconnectAttempts: "3" }));
      await statusMatching(helper.getNode("in"), (status) => status.text === "flowsocket.status.failed-retry");
      const gaveUp = await withTimeout(
        (async () => {
          for (let n = 1; ; n++) {
            const error = await waitForEvent("error", n);
            if ((error.error as { failure?: string }).failure === "gave-up") {
              return error;
            }
          }
        })(),
        8000,
        "giving up",
      );
      assert.match((gaveUp.error as { message: string }).message, /3/);
      await statusMatching(helper.getNode("in"), (status) => status.text === "flowsocket.status.gave-up");
      assert.ok(errorsOf(helper.getNode("client")).length >= 2, "the attempt failure and the giving up are logged");
      await dropper.accepted(3);
      await assert.rejects(dropper.accepted(4, 400), /only 3 of 4/, "no attempt after giving up");
      await act({ action: "connect" });
      await dropper.accepted(4);
    } finally {
      await helper.unload();
      await dropper.stop();
    }
  });

  it("sends the first message first on every connection, and the Origin it is given", async () => {
    const server = await TestServer.start();
    try {
      await load([
        ...flow(server.url, { firstMessage: '{"op":"login"}', firstMessageType: "json", origin: "https://flows.example", reconnectDelay: "0.05" }),
      ]);
      await waitForEvent("connect");
      helper.getNode("out").receive({ payload: "after connect" });
      const first = await server.connection(1);
      assert.deepEqual(await server.framesFrom(first, 2), ['{"op":"login"}', "after connect"]);
      assert.equal(server.requests[0]!.headers.origin, "https://flows.example");
      first.terminate();
      const second = await server.connection(2);
      await once(second, "message");
      assert.equal(server.frames.get(second)![0], '{"op":"login"}', "again after the reconnect");
    } finally {
      await helper.unload();
      await server.stop();
    }
  });

  /**
   * Loads the flow with a queueing client (and `client` settings over it)
   * on a server of its own, and stops that server once the client is
   * connected; resolves, once the client knows, with the port to start it again on.
   */
  async function queueingWhileDown(client: Record<string, unknown>): Promise<number> {
    const server = await TestServer.start();
    await load(flow(server.url, { queue: true, reconnectDelay: "0.05", reconnectMax: "0.1", ...client }));
    await waitForEvent("connect");
    const port = server.port;
    await server.stop();
    await waitForEvent("disconnect");
    return port;
  }

  it("queues what is sent while its server is down, and sends it once each, in order, after the first message", async () => {
    let server: TestServer | undefined;
    try {
      const port = await queueingWhileDown({ queueSize: "3", firstMessage: "first" });
      const out = helper.getNode("out");
      for (let i = 0; i < 5; i++) {
        out.receive({ payload: `q${i}` });
      }
      // Five into a queue of three: the two oldest made room, and that is logged (once).
      await statusMatching(helper.getNode("in"), () => callsOf(helper.getNode("client"), "warn").includes("flowsocket.errors.queue-full"));
      server = await TestServer.start({}, port);
      const peer = await server.connection(1, 8000);
      assert.deepEqual(await server.framesFrom(peer, 4), ["first", "q2", "q3", "q4"]);
      peer.send("after");
      await waitForEvent("connect", 2);
      out.receive({ payload: "live" });
      await once(peer, "message");
      assert.deepEqual(server.frames.get(peer), ["first", "q2", "q3", "q4", "live"], "nothing twice");
    } finally {
      await helper.unload();
      await server?.stop();
    }
  });

  it("sends the whole queue on reconnect, even when it holds more than the high-water mark", async () => {
    let server: TestServer | undefined;
    try {
      // Twenty messages of 1 KiB wait, against a mark of 4 KiB for messages sent to a slow peer.
      const port = await queueingWhileDown({ queueSize: "50", highWaterMark: "4096" });
      const sent = Array.from({ length: 20 }, (_, i) => `${String(i).padStart(2, "0")}${"q".repeat(1022)}`);
      sent.forEach((payload) => helper.getNode("out").receive({ payload }));
      server = await TestServer.start({}, port);
      const peer = await server.connection(1, 8000);
      assert.deepEqual(await server.framesFrom(peer, 20), sent);
    } finally {
      await helper.unload();
      await server?.stop();
    }
  });

  it("says what it discards when a flow disconnects it with messages queued", async () => {
    const server = await TestServer.start();
    await load(flow(server.url, { queue: true, reconnectDelay: "5" }));
    await waitForEvent("connect");
    await server.stop();
    await waitForEvent("disconnect");
    helper.getNode("out").receive({ payload: "waiting" });
    await act({ action: "disconnect" });
    await statusMatching(helper.getNode("in"), () => callsOf(helper.getNode("client"), "warn").includes("flowsocket.errors.queue-discarded"));
    const failure = nextError(helper.getNode("out"));
    helper.getNode("out").receive({ payload: "not kept" });
    assert.equal(((await failure).error as Error).message, "flowsocket.errors.not-connected", "disconnected on purpose: nothing is queued");
  });

  it("offers compression only when told to", async () => {
    const before = a.connections.length;
    await load(flow(a.url));
    await a.connection(before + 1);
    assert.equal(a.requests[before]!.headers["sec-websocket-extensions"], undefined);
    await helper.unload();
    await load(flow(a.url, { compression: true, compressionThreshold: "0" }));
    await a.connection(before + 2);
    assert.match(String(a.requests[before + 1]!.headers["sec-websocket-extensions"]), /permessage-deflate/);
  });

  it("compresses only messages of at least the threshold", async () => {
    const server = await TestServer.start({ perMessageDeflate: true });
    try {
      await load(flow(server.url, { compression: true, compressionThreshold: "64" }));
      const peer = await server.connection(1);
      await waitForEvent("connect");
      const bits = new FrameBits(server.requests[0]!.socket);
      helper.getNode("out").receive({ payload: "small" });
      helper.getNode("out").receive({ payload: "y".repeat(200) });
      assert.deepEqual(await server.framesFrom(peer, 2), ["small", "y".repeat(200)]);
      assert.deepEqual(bits.compressed, [false, true], "5 bytes went as they were, 200 compressed (threshold 64)");
    } finally {
      await helper.unload();
      await server.stop();
    }
  });

  it("refuses connect and disconnect on a listener, and a bad connect request", async () => {
    await load(flow(a.url));
    await waitForEvent("connect");
    assert.equal((await act({ action: "connect", url: 5 })).error?.message, "flowsocket.errors.bad-connect");
    assert.equal((await act({ action: "connect", force: true, url: "http://nope" })).error?.message, "flowsocket.errors.bad-client");
    await helper.unload();
    await helper.load(
      [flowsocketNodes],
      onTab([
        { id: "listener", type: "flowsocket-listener", path: "/ws/control" },
        { id: "out", type: "flowsocket-out", server: "listener", control: true, results: true, wires: [["results"]] },
        { id: "results", type: "helper" },
      ]),
    );
    assert.equal((await act({ action: "disconnect" })).error?.message, "flowsocket.errors.not-client");
  });

  it("reads payloads in the format it is told, and a bad JSON frame is an error with its text", async () => {
    const before = a.connections.length;
    await load([
      ...flow(a.url, {}, { events: false, format: "json" }),
      { id: "in-string", type: "flowsocket-in", client: "client", format: "string", wires: [["sink-string"]] },
      { id: "in-buffer", type: "flowsocket-in", client: "client", format: "buffer", wires: [["sink-buffer"]] },
      { id: "sink-string", type: "helper" },
      { id: "sink-buffer", type: "helper" },
    ]);
    const strings = new Sink(helper.getNode("sink-string"));
    const buffers = new Sink(helper.getNode("sink-buffer"));
    const peer = await a.connection(before + 1);
    await statusMatching(helper.getNode("in"), (status) => status.event === "connect");
    const failure = nextError(helper.getNode("in"));
    peer.send('{"n":1}');
    peer.send(Buffer.from('{"n":2}'));
    peer.send("not json {");
    const [first, second] = await sink.waitFor(2);
    assert.deepEqual([first!.payload, second!.payload], [{ n: 1 }, { n: 2 }]);
    const { error, msg } = await failure;
    assert.equal(error, "flowsocket.errors.not-json");
    assert.equal((msg as Msg).payload, "not json {");
    const asText = await strings.waitFor(3);
    assert.deepEqual(asText.map((m) => m.payload), ['{"n":1}', '{"n":2}', "not json {"]);
    const asBuffers = await buffers.waitFor(3);
    assert.ok(asBuffers.every((m) => Buffer.isBuffer(m.payload)));
    assert.equal(sink.messages.length, 2, "the bad frame lost nothing else");
  });

  it("sends payloads as text or binary as it is told", async () => {
    await load([
      ...flow(a.url, {}, {}, { format: "binary" }),
      { id: "out-text", type: "flowsocket-out", client: "client", format: "text" },
    ]);
    await waitForEvent("connect");
    const peer = a.connections.at(-1)!;
    const frames: { binary: boolean; data: string }[] = [];
    peer.on("message", (data, isBinary) => frames.push({ binary: isBinary, data: String(data) }));
    helper.getNode("out").receive({ payload: "as binary" });
    helper.getNode("out-text").receive({ payload: Buffer.from("as text") });
    await withTimeout(
      (async () => {
        while (frames.length < 2) {
          await once(peer, "message");
        }
      })(),
      5000,
      "two frames",
    );
    assert.deepEqual(frames, [
      { binary: true, data: "as binary" },
      { binary: false, data: "as text" },
    ]);
  });
});
