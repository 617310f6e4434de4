import assert from "node:assert/strict";
import WebSocket from "ws";
import { coreNode, flowsocketNodes, helper, onTab, Sink, type FlowNode } from "../support/red";
import { TestClient } from "../support/peers";
import { silentPeer } from "../support/raw-upgrade";
import { errorsOf, nextError, statusMatching } from "../support/spies";

const completeNode = coreNode("core/common/24-complete.js");

const LISTENER: FlowNode = { id: "listener", type: "flowsocket-listener", path: "/ws/test", wholemsg: "false" };

function url(path = "/ws/test"): string {
  return `${helper.url().replace("http", "ws")}${path}`;
}

describe("flowsocket-listener with in and out nodes", () => {
  const clients: TestClient[] = [];

  async function client(path?: string, protocols: string[] = []): Promise<TestClient> {
    const opened = await TestClient.open(url(path), protocols);
    clients.push(opened);
    return opened;
  }

  async function load(flow: FlowNode[]): Promise<void> {
    await helper.load([flowsocketNodes, completeNode], onTab(flow));
  }

  before(() => helper.startServer());
  after(() => helper.stopServer());
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close()));
    await helper.unload();
  });

  it("emits text frames as strings and binary frames as Buffers, with the session", async () => {
    await load([
      LISTENER,
      { id: "in", type: "flowsocket-in", server: "listener", client: "", wires: [["sink"]] },
      { id: "sink", type: "helper" },
    ]);
    const sink = new Sink(helper.getNode("sink"));
    const peer = await client();
    peer.send("hello");
    peer.send(Buffer.from([0, 255]));
    const [text, binary] = await sink.waitFor(2);
    assert.equal(text!.payload, "hello");
    assert.ok(Buffer.isBuffer(binary!.payload));
    assert.deepEqual([...(binary!.payload as Buffer)], [0, 255]);
    const session = text!._session as { type: string; id: string };
    assert.equal(session.type, "websocket");
    assert.match(session.id, /^[0-9a-f]{16}$/);
    assert.deepEqual(binary!._session, session);
    assert.match(text!._msgid as string, /^[0-9a-f]{16}$/);
    assert.notEqual(text!._msgid, binary!._msgid);
  });

  it("builds no messages for an in node with no wires (Node-RED would drop them), yet shows its status and reports a frame its JSON format cannot read", async () => {
    await load([
      LISTENER,
      { id: "unwired", type: "flowsocket-in", server: "listener", events: true, metadata: true, wires: [] },
      { id: "unwired-json", type: "flowsocket-in", server: "listener", format: "json", wires: [[]] },
      { id: "in", type: "flowsocket-in", server: "listener", wires: [["sink"]] },
      { id: "sink", type: "helper" },
    ]);
    const sink = new Sink(helper.getNode("sink"));
    const failure = nextError(helper.getNode("unwired-json"));
    const peer = await client();
    await statusMatching(helper.getNode("unwired"), (status) => status.event === "connect" && status.fill === "green");
    peer.send("not json {");
    const { error, msg } = await failure;
    assert.equal(error, "flowsocket.errors.not-json");
    assert.equal((msg as { payload: unknown }).payload, "not json {");
    const [received] = await sink.waitFor(1);
    assert.equal(received!.payload, "not json {", "the wired node still gets the frame");
    assert.deepEqual(errorsOf(helper.getNode("unwired")), []);
  });

  it("parses whole messages and falls back to payload", async () => {
    await load([
      { ...LISTENER, wholemsg: "true" },
      { id: "in", type: "flowsocket-in", server: "listener", wires: [["sink"]] },
      { id: "sink", type: "helper" },
    ]);
    const sink = new Sink(helper.getNode("sink"));
    const peer = await client();
    peer.send('{"payload":"p","topic":"t"}');
    peer.send("[1,2]");
    peer.send("not json");
    const [whole, array, text] = await sink.waitFor(3);
    assert.equal(whole!.payload, "p");
    assert.equal(whole!.topic, "t");
    assert.deepEqual(array!.payload, [1, 2]);
    assert.equal(text!.payload, "not json");
  });

  it("echoes to the sending client only when in is wired to out", async () => {
    await load([
      LISTENER,
      { id: "in", type: "flowsocket-in", server: "listener", wires: [["out"]] },
      { id: "out", type: "flowsocket-out", server: "listener" },
    ]);
    const [alice, bob] = await Promise.all([client(), client()]);
    alice.send("from alice");
    bob.send(Buffer.from("from bob"));
    assert.deepEqual(await alice.frame(1), { data: "from alice", isBinary: false });
    assert.deepEqual(await bob.frame(1), { data: Buffer.from("from bob"), isBinary: true });
    alice.send("again");
    await alice.frame(2);
    assert.equal(bob.received.length, 1, "bob never saw alice's echo");
  });

  it("echoes many text and binary frames in order", async () => {
    await load([
      LISTENER,
      { id: "in", type: "flowsocket-in", server: "listener", wires: [["out"]] },
      { id: "out", type: "flowsocket-out", server: "listener" },
    ]);
    const peer = await client();
    const sent = Array.from({ length: 300 }, (_, i) => (i % 4 === 0 ? Buffer.from([i & 0xff, i >> 8]) : `frame ${i}`));
    sent.forEach((frame) => peer.send(frame));
    await peer.frame(sent.length);
    assert.deepEqual(peer.received.map((frame) => frame.data), sent);
    assert.deepEqual(peer.received.map((frame) => frame.isBinary), sent.map((frame) => Buffer.isBuffer(frame)));
  });

  it("broadcasts messages without a session to every client, 0, false and \"\" included", async () => {
    await load([LISTENER, { id: "out", type: "flowsocket-out", server: "listener" }]);
    const group = await Promise.all(Array.from({ length: 5 }, () => client()));
    await statusMatching(helper.getNode("out"), (status) => status.event === "connect" && clients.length === 5);
    const out = helper.getNode("out");
    for (const payload of ["text", Buffer.from([1]), 0, false, "", { a: 1 }]) {
      out.receive({ payload });
    }
    out.receive({ topic: "no payload: nothing is sent" });
    out.receive({ payload: "last" });
    for (const member of group) {
      await member.frame(7);
      assert.deepEqual(
        member.received.map((frame) => frame.data),
        ["text", Buffer.from([1]), "0", "false", "", '{"a":1}', "last"],
      );
      assert.equal(member.received[1]!.isBinary, true);
    }
  });

  it("sends the whole message without _session in wholemsg mode", async () => {
    await load([
      { ...LISTENER, wholemsg: "true" },
      { id: "in", type: "flowsocket-in", server: "listener", wires: [["out"]] },
      { id: "out", type: "flowsocket-out", server: "listener" },
    ]);
    const peer = await client();
    peer.send('{"payload":1,"topic":"t"}');
    const frame = await peer.frame(1);
    assert.deepEqual(JSON.parse(frame.data as string), { payload: 1, topic: "t", _msgid: JSON.parse(frame.data as string)._msgid });
    assert.equal("_session" in JSON.parse(frame.data as string), false);
  });

  it("gives each in node its own message object", async () => {
    await load([
      LISTENER,
      { id: "in1", type: "flowsocket-in", server: "listener", wires: [["sink1"]] },
      { id: "in2", type: "flowsocket-in", server: "listener", wires: [["sink2"]] },
      { id: "sink1", type: "helper" },
      { id: "sink2", type: "helper" },
    ]);
    const sinks = [new Sink(helper.getNode("sink1")), new Sink(helper.getNode("sink2"))];
    const peer = await client();
    peer.send(Buffer.from([1, 2]));
    const [[first], [second]] = await Promise.all(sinks.map((sink) => sink.waitFor(1)));
    assert.notEqual(first, second);
    assert.notEqual(first!.payload, second!.payload, "Buffers are not shared either");
    assert.deepEqual(first!.payload, second!.payload);
    assert.notEqual(first!._session, second!._session);
  });

  it("calls done for a large reply once it is written, so a flow that waits for Complete is paced by the client", async () => {
    await load([
      LISTENER,
      { id: "in", type: "flowsocket-in", server: "listener", events: true, wires: [["sink"]] },
      { id: "sink", type: "helper" },
      { id: "out", type: "flowsocket-out", server: "listener" },
      { id: "complete", type: "complete", scope: ["out"], wires: [["done"]] },
      { id: "done", type: "helper" },
    ]);
    const connected = new Sink(helper.getNode("sink"));
    const completed = new Sink(helper.getNode("done"));
    const silent = await silentPeer(url());
    try {
      const [connect] = await connected.waitFor(1);
      // More than the kernel's buffers on both ends of a loopback connection
      // take (32 MiB of receive buffer here at most): its write cannot finish
      // while the client reads nothing.
      const payload = Buffer.alloc(64 * 1024 * 1024);
      helper.getNode("out").receive({ payload, _session: connect!._session });
      await assert.rejects(completed.waitFor(1, 500), /only 0 of 1/, "not done while the client reads nothing");
      silent.on("data", () => undefined);
      silent.resume();
      const [done] = await completed.waitFor(1, 10000);
      assert.equal((done!.payload as Buffer).length, payload.length);
      assert.deepEqual(errorsOf(helper.getNode("out")), []);
    } finally {
      silent.destroy();
    }
  });

  it("reports a reply to a departed session to Catch and calls done", async () => {
    await load([
      LISTENER,
      { id: "out", type: "flowsocket-out", server: "listener" },
      { id: "complete", type: "complete", scope: ["out"], wires: [["done"]] },
      { id: "done", type: "helper" },
    ]);
    const out = helper.getNode("out");
    const completed = new Sink(helper.getNode("done"));
    const failure = nextError(out);
    out.receive({ payload: "late", _session: { type: "websocket", id: "0123456789abcdef" } });
    const { error, msg } = await failure;
    assert.equal((error as Error).message, "flowsocket.errors.session-gone");
    assert.equal((msg as { payload: string }).payload, "late");
    out.receive({ payload: "to nobody, fine" });
    const [done] = await completed.waitFor(1);
    assert.equal(done!.payload, "to nobody, fine");
    // Later replies to the same departed session complete quietly: one error per session, not per reply.
    out.receive({ payload: "later", _session: { type: "websocket", id: "0123456789abcdef" } });
    const [, later] = await completed.waitFor(2);
    assert.equal(later!.payload, "later");
    assert.equal(errorsOf(out).length, 1);
  });

  it("shows the client count in the status, with event and _session for Status nodes", async () => {
    await load([
      LISTENER,
      { id: "in", type: "flowsocket-in", server: "listener", wires: [[]] },
    ]);
    const node = helper.getNode("in");
    const idle = await statusMatching(node, (status) => status.text === "flowsocket.status.connected");
    assert.equal(idle.shape, "ring");
    assert.equal(idle.event, undefined, "the initial status is not an event");
    const peer = await client();
    const connected = await statusMatching(node, (status) => status.event === "connect");
    assert.deepEqual([connected.fill, connected.shape, connected._session?.type], ["green", "dot", "websocket"]);
    await peer.close();
    const left = await statusMatching(node, (status) => status.event === "disconnect");
    assert.equal(left._session?.id, connected._session?.id);
    assert.equal(left.shape, "ring");
  });

  it("lets a Status node see the event and the session", async () => {
    await helper.load(
      [flowsocketNodes, coreNode("core/common/25-status.js")],
      onTab([
        LISTENER,
        { id: "in", type: "flowsocket-in", server: "listener", wires: [[]] },
        { id: "watch", type: "status", scope: ["in"], wires: [["sink"]] },
        { id: "sink", type: "helper" },
      ]),
    );
    const sink = new Sink(helper.getNode("sink"));
    const peer = await client();
    await peer.close();
    const seen = (await sink.waitFor(2)).map((msg) => msg.status as { event?: string; _session?: { id: string } });
    const connect = seen.find((status) => status.event === "connect");
    const disconnect = seen.find((status) => status.event === "disconnect");
    assert.ok(connect?._session?.id);
    assert.equal(disconnect?._session?.id, connect._session.id);
  });

  it("serves under httpNodeRoot and honours webSocketNodeVerifyClient", async () => {
    helper.settings({
      httpNodeRoot: "/api",
      webSocketNodeVerifyClient: (info: { req: { url?: string } }) => !(info.req.url ?? "").includes("deny"),
    });
    try {
      await load([
        LISTENER,
        { id: "in", type: "flowsocket-in", server: "listener", wires: [["sink"]] },
        { id: "sink", type: "helper" },
      ]);
      await assert.rejects(client("/api/ws/test?deny=1"), /401/);
      const peer = await client("/api/ws/test");
      peer.send("rooted");
      const [msg] = await new Sink(helper.getNode("sink")).waitFor(1);
      assert.equal(msg!.payload, "rooted");
    } finally {
      helper.settings({});
    }
  });

  it("rejects a second listener on the same path without disturbing the first", async () => {
    await load([
      LISTENER,
      { ...LISTENER, id: "listener2" },
      { id: "in", type: "flowsocket-in", server: "listener", wires: [["sink"]] },
      { id: "in2", type: "flowsocket-in", server: "listener2", wires: [["sink2"]] },
      { id: "sink", type: "helper" },
      { id: "sink2", type: "helper" },
    ]);
    const errors = [...errorsOf(helper.getNode("listener")), ...errorsOf(helper.getNode("listener2"))];
    assert.deepEqual(errors, ["flowsocket.errors.path-in-use"]);
    // Node-RED does not promise which of the two starts first.
    const [loser, winnerSink] = errorsOf(helper.getNode("listener")).length ? ["in", "sink2"] : ["in2", "sink"];
    await statusMatching(helper.getNode(loser), (status) => status.text === "flowsocket.status.path-in-use");
    const peer = await client();
    peer.send("still served");
    const [msg] = await new Sink(helper.getNode(winnerSink)).waitFor(1);
    assert.equal(msg!.payload, "still served");
  });

  it("negotiates the subprotocols it is given", async () => {
    await load([{ ...LISTENER, subprotocol: "chat, json" }, { id: "in", type: "flowsocket-in", server: "listener", wires: [[]] }]);
    const picky = await client(undefined, ["xml", "json", "chat"]);
    assert.equal(picky.socket.protocol, "json");
  });

  it("keeps Node-RED's own editor socket working", async () => {
    await load([LISTENER, { id: "in", type: "flowsocket-in", server: "listener", wires: [[]] }]);
    const comms = await client("/comms");
    assert.equal(comms.socket.readyState, WebSocket.OPEN);
  });

  it("closes its clients and releases the path on redeploy, leaving other listeners up", async () => {
    const other: FlowNode = { id: "other", type: "flowsocket-listener", path: "/ws/other" };
    const flow: FlowNode[] = [
      LISTENER,
      other,
      { id: "in", type: "flowsocket-in", server: "listener", wires: [["out"]] },
      { id: "out", type: "flowsocket-out", server: "listener" },
      { id: "in2", type: "flowsocket-in", server: "other", wires: [["out2"]] },
      { id: "out2", type: "flowsocket-out", server: "other" },
    ];
    await load(flow);
    const upgradeListeners = (): number => (helper as unknown as { _server: import("node:http").Server })._server.listenerCount("upgrade");
    const before = upgradeListeners();
    const peer = await client();
    const bystander = await client("/ws/other");
    const closed = peer.closedByPeer();
    // Redeploy only the first listener (a "nodes" deploy): the other keeps its client.
    await helper.setFlows(onTab([{ ...LISTENER, wholemsg: "true" }, ...flow.slice(1)]), "nodes");
    assert.equal((await closed).code, 1001);
    const again = await client();
    again.send('{"payload":"after redeploy"}');
    assert.deepEqual(JSON.parse((await again.frame(1)).data as string).payload, "after redeploy");
    bystander.send("still there");
    assert.equal((await bystander.frame(1)).data, "still there");
    assert.equal(upgradeListeners(), before, "no upgrade listener leaked");
    await helper.unload();
    assert.equal(upgradeListeners(), before - 1, "the router detaches once no listener is left");
  });

  it("reports a missing config node on in and out nodes without crashing", async () => {
    await load([
      { id: "in", type: "flowsocket-in", server: "nowhere", wires: [[]] },
      { id: "out", type: "flowsocket-out", server: "" },
    ]);
    for (const id of ["in", "out"]) {
      assert.deepEqual(errorsOf(helper.getNode(id)), ["flowsocket.errors.missing-config"]);
      await statusMatching(helper.getNode(id), (status) => status.text === "flowsocket.status.no-config");
    }
    const failure = nextError(helper.getNode("out"));
    helper.getNode("out").receive({ payload: "x" });
    const { error } = await failure;
    assert.equal((error as Error).message, "flowsocket.errors.missing-config");
  });

  it("reports an invalid path on the listener", async () => {
    await load([
      { ...LISTENER, path: "/bad path" },
      { id: "in", type: "flowsocket-in", server: "listener", wires: [[]] },
    ]);
    assert.match(errorsOf(helper.getNode("listener"))[0]!, /Invalid listener path/);
    await statusMatching(helper.getNode("in"), (status) => status.text === "flowsocket.status.invalid-path");
  });
});
