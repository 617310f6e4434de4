import assert from "node:assert/strict";
import { flowsocketNodes, helper, onTab, Sink, type FlowNode } from "../support/red";
import { TestClient } from "../support/peers";
import { silentPeer } from "../support/raw-upgrade";
import { callsOf, nextError } from "../support/spies";

const PATH = "/ws/rooms";

type Msg = Record<string, unknown> & { _session?: Record<string, unknown> };

function url(query = ""): string {
  return `${helper.url().replace("http", "ws")}${PATH}${query}`;
}

/**
 * A listener with an in node (events and metadata on) feeding a sink, and an
 * out node with control and results on, whose output feeds another sink.
 */
function flow(listener: Record<string, unknown> = {}, inNode: Record<string, unknown> = {}): FlowNode[] {
  return [
    { id: "listener", type: "flowsocket-listener", path: PATH, wholemsg: "false", ...listener },
    { id: "in", type: "flowsocket-in", server: "listener", events: true, metadata: true, wires: [["sink"]], ...inNode },
    { id: "out", type: "flowsocket-out", server: "listener", control: true, results: true, wires: [["results"]] },
    { id: "sink", type: "helper" },
    { id: "results", type: "helper" },
  ];
}

describe("sessions a flow can see and steer", () => {
  const clients: TestClient[] = [];
  let sink: Sink;
  let results: Sink;

  async function load(nodes: FlowNode[]): Promise<void> {
    await helper.load([flowsocketNodes], onTab(nodes));
    sink = new Sink(helper.getNode("sink"));
    results = new Sink(helper.getNode("results"));
  }

  async function client(query = "", headers: Record<string, string> = {}): Promise<TestClient> {
    const opened = await TestClient.open(url(query), [], { headers });
    clients.push(opened);
    return opened;
  }

  /** The messages of one kind (`event` value, or "data" for frames) the sink got so far. */
  const of = (kind: string): Msg[] => sink.of(kind) as Msg[];
  const waitFor = async (kind: string, count = 1): Promise<Msg> => (await sink.waitForKind(kind, count)) as Msg;

  /** Sends a message to the out node and waits for what comes out of its results output. */
  async function act(msg: Msg): Promise<Msg> {
    const count = results.messages.length + 1;
    helper.getNode("out").receive(msg);
    return (await results.waitFor(count))[count - 1] as Msg;
  }

  /** Connects a client and returns it with its session id, from the connect event. */
  async function member(query = ""): Promise<{ peer: TestClient; id: string }> {
    const count = of("connect").length + 1;
    const peer = await client(query);
    const connect = await waitFor("connect", count);
    return { peer, id: connect._session!.id as string };
  }

  before(() => helper.startServer());
  after(() => helper.stopServer());
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close()));
    await helper.unload();
  });

  it("emits connect before the first message and disconnect after the last, with the cause", async () => {
    await load(flow());
    const peer = await client();
    peer.send("one");
    peer.send("two");
    await waitFor("data", 2);
    await peer.close();
    const disconnect = await waitFor("disconnect");
    const order = (sink.messages as Msg[]).map((msg) => msg.event ?? msg.payload);
    assert.deepEqual(order, ["connect", "one", "two", "disconnect"]);
    assert.deepEqual([disconnect.code, disconnect.reason, disconnect.cause], [1005, "", "peer"]);
    assert.equal("payload" in disconnect, false, "an event has no payload");
    assert.equal(disconnect._session!.id, of("connect")[0]!._session!.id);
  });

  it("puts the session's details on every message, with only the listed headers", async () => {
    await load(flow({ sessionHeaders: "X-Tenant, user-agent" }));
    const before = Date.now();
    const peer = await client("?name=ann", { "x-tenant": "acme", "user-agent": "test", cookie: "secret=1", authorization: "Bearer t" });
    peer.send("hi");
    const msg = await waitFor("data");
    const session = msg._session!;
    assert.equal(session.type, "websocket");
    assert.equal(session.path, PATH);
    assert.equal(session.remoteAddress, "127.0.0.1");
    assert.equal(typeof session.remotePort, "number");
    assert.equal(session.protocol, "");
    assert.deepEqual(session.query, { name: "ann" });
    assert.deepEqual(Object.keys(session.headers as object).sort(), ["user-agent", "x-tenant"]);
    assert.equal((session.headers as Record<string, string>)["x-tenant"], "acme");
    assert.ok((session.openedAt as number) >= before);
    assert.ok((msg.receivedAt as number) >= (session.openedAt as number));
  });

  it("takes the client's address from X-Forwarded-For only when told to trust a proxy", async () => {
    await load(flow());
    await client("", { "x-forwarded-for": "203.0.113.7, 10.0.0.1" });
    assert.equal((await waitFor("connect"))._session!.remoteAddress, "127.0.0.1");
    await helper.unload();
    await load(flow({ trustProxy: true }));
    await client("", { "x-forwarded-for": "203.0.113.7, 10.0.0.1" });
    await client("", { forwarded: 'for="[2001:db8::1]:4711";proto=https' });
    assert.equal((await waitFor("connect", 1))._session!.remoteAddress, "203.0.113.7");
    assert.equal((await waitFor("connect", 2))._session!.remoteAddress, "2001:db8::1");
  });

  it("joins and leaves rooms, sends to a room, a list and all but the sender, and forgets a closed session", async () => {
    await load(flow());
    const a = await member();
    const b = await member();
    const c = await member();
    assert.deepEqual((await act({ action: "join", room: "red", to: [a.id, b.id] })).payload, { rooms: ["red"], sessions: [a.id, b.id], gone: [] });
    await act({ action: "join", room: ["blue", "green"], _session: { type: "websocket", id: c.id } });
    helper.getNode("out").receive({ payload: "to red", room: "red" });
    assert.equal((await a.peer.frame(1)).data, "to red");
    assert.equal((await b.peer.frame(1)).data, "to red");
    helper.getNode("out").receive({ payload: "not a", _session: { type: "websocket", id: a.id }, except: a.id });
    helper.getNode("out").receive({ payload: "list", to: [c.id, a.id] });
    assert.equal((await a.peer.frame(2)).data, "list", "a got no all-but-a frame before the list");
    assert.equal((await b.peer.frame(2)).data, "not a");
    assert.deepEqual((await c.peer.frame(2)).data, "list");
    assert.deepEqual(c.peer.received.map((f) => f.data), ["not a", "list"]);
    await act({ action: "leave", room: true, to: c.id });
    const listed = (await act({ action: "getSessions" })).payload as { id: string; rooms: string[] }[];
    assert.deepEqual(
      listed.map((entry) => [entry.id, entry.rooms]).sort(),
      [[a.id, ["red"]], [b.id, ["red"]], [c.id, []]].sort(),
    );
    await a.peer.close();
    await waitFor("disconnect");
    const red = (await act({ action: "getSessions", room: "red" })).payload as { id: string }[];
    assert.deepEqual(red.map((entry) => entry.id), [b.id], "a left every room when it closed");
  });

  it("warns of ids that are gone, lists them on the output, and still reaches the rest", async () => {
    await load(flow());
    const a = await member();
    helper.getNode("out").receive({ payload: "hello", to: [a.id, "0000000000000000"] });
    const out = (await results.waitFor(1))[0] as Msg;
    assert.deepEqual(out, { _msgid: out._msgid, action: "send", payload: { gone: ["0000000000000000"] } });
    assert.equal((await a.peer.frame(1)).data, "hello");
    assert.deepEqual(callsOf(helper.getNode("out"), "warn"), ["flowsocket.errors.gone"]);
  });

  it("closes sessions with a code and reason, reported with cause flow", async () => {
    await load(flow());
    const a = await member();
    const b = await member();
    const closed = a.peer.closedByPeer();
    const result = await act({ action: "close", to: a.id, code: 4001, reason: "kicked" });
    assert.deepEqual(result.payload, { sessions: [a.id], gone: [] });
    assert.deepEqual(await closed, { code: 4001, reason: "kicked" });
    const disconnect = await waitFor("disconnect");
    assert.deepEqual([disconnect.code, disconnect.reason, disconnect.cause], [4001, "kicked", "flow"]);
    assert.equal(b.peer.socket.readyState, 1, "the other stays open");
  });

  it("reports sessions closed by a redeploy with cause stopping", async () => {
    await load(flow());
    const a = await member();
    const closed = a.peer.closedByPeer();
    const disconnected = waitFor("disconnect");
    await helper.setFlows(onTab(flow({ wholemsg: "true" })), "nodes");
    assert.equal((await closed).code, 1001);
    assert.equal((await disconnected).cause, "stopping");
  });

  it("fails a message with an unknown action, for Catch nodes", async () => {
    await load(flow());
    const failure = nextError(helper.getNode("out"));
    helper.getNode("out").receive({ action: "subscribe", topic: "x" });
    const { error, msg } = await failure;
    assert.equal((error as Error).message, "flowsocket.errors.unknown-action");
    assert.equal((msg as Msg).topic, "x", "Catch nodes get the message");
  });

  it("lets clients join and leave rooms themselves when the listener allows it", async () => {
    await load(flow({ clientRooms: true }));
    const a = await member();
    a.peer.send('{"type":"join","room":"news"}');
    a.peer.send("data after the join");
    await waitFor("data");
    assert.deepEqual(of("data").map((msg) => msg.payload), ["data after the join"], "the command is not passed on");
    const news = (await act({ action: "getSessions", room: "news" })).payload as { id: string }[];
    assert.deepEqual(news.map((entry) => entry.id), [a.id]);
    a.peer.send('{"type":"leave","room":"news"}');
    a.peer.send('{"type":"join","room":"news","extra":1}');
    await waitFor("data", 2);
    assert.deepEqual(of("data")[1]!.payload, '{"type":"join","room":"news","extra":1}', "other shapes are data");
    assert.deepEqual((await act({ action: "getSessions", room: "news" })).payload, []);
  });

  it("passes room commands on as data when the listener does not allow them", async () => {
    await load(flow());
    const a = await member();
    a.peer.send('{"type":"join","room":"news"}');
    assert.equal((await waitFor("data")).payload, '{"type":"join","room":"news"}');
    assert.deepEqual((await act({ action: "getSessions", room: "news" })).payload, []);
  });

  it("ends a session that stops answering pings, with cause heartbeat", async () => {
    await load(flow({ hb: "0.2" }));
    const silent = await silentPeer(url());
    try {
      const disconnect = await waitFor("disconnect");
      assert.equal(disconnect.cause, "heartbeat");
      const error = of("error")[0]!;
      assert.equal(error._session!.id, disconnect._session!.id);
    } finally {
      silent.destroy();
    }
  });

  it("reports a session that breaks the protocol with an error, then a disconnect with cause error", async () => {
    await load(flow());
    const raw = await silentPeer(url());
    try {
      // A masked text frame whose one byte, 0xff, is not UTF-8 (RFC 6455 8.1: the endpoint fails the connection).
      const mask = [1, 2, 3, 4];
      raw.write(Buffer.from([0x81, 0x81, ...mask, 0xff ^ mask[0]!]));
      const error = await waitFor("error");
      assert.match((error.error as { message: string }).message, /UTF-8/i);
      // The listener has sent its close (1007); the peer never answers it, and
      // after a second (not ws's 30 s) the listener cuts the connection.
      const disconnect = await waitFor("disconnect");
      assert.deepEqual([disconnect.code, disconnect.cause], [1006, "error"]);
      assert.ok(sink.messages.indexOf(error) < sink.messages.indexOf(disconnect), "the error comes first");
    } finally {
      raw.destroy();
    }
  });

  it("keeps a live client through many heartbeats", async () => {
    await load(flow({ hb: "0.1" }));
    const a = await member();
    // A ws client answers pings by itself: after five intervals it is still there.
    await new Promise((resolve) => setTimeout(resolve, 550));
    a.peer.send("still here");
    assert.equal((await waitFor("data")).payload, "still here");
    assert.equal(of("disconnect").length, 0);
  });
});

describe("a converted core flow with msg.to, msg.room and msg.action", () => {
  before(() => helper.startServer());
  after(() => helper.stopServer());
  afterEach(() => helper.unload());

  it("behaves as core: the options absent, those properties are ordinary data", async () => {
    // As saved by core's editor: none of the new properties.
    await helper.load(
      [flowsocketNodes],
      onTab([
        { id: "listener", type: "flowsocket-listener", path: PATH, wholemsg: "true" },
        { id: "in", type: "flowsocket-in", server: "listener", wires: [["out", "sink"]] },
        { id: "out", type: "flowsocket-out", server: "listener" },
        { id: "sink", type: "helper" },
      ]),
    );
    const sink = new Sink(helper.getNode("sink"));
    const peer = await TestClient.open(url());
    try {
      // An e-mail or MQTT flow's message: to, room and action mean something else there.
      peer.send(JSON.stringify({ payload: "mail", to: "ann@example.com", room: "B12", action: "subscribe", event: "x" }));
      const [msg] = await sink.waitFor(1);
      assert.deepEqual(Object.keys(msg!._session as object), ["type", "id"], "a plain session, as core's");
      assert.equal(msg!.event, "x", "no events, so a peer's event stays data");
      assert.equal("receivedAt" in msg!, false);
      const echo = JSON.parse((await peer.frame(1)).data as string) as Record<string, unknown>;
      assert.deepEqual(echo, { payload: "mail", to: "ann@example.com", room: "B12", action: "subscribe", event: "x", _msgid: msg!._msgid });
    } finally {
      await peer.close();
    }
  });
});
