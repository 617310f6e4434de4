import assert from "node:assert/strict";
import { once } from "node:events";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import WebSocket from "ws";
import { FlowsocketError } from "../../nodes/transport/errors";
import { ServerEndpoint } from "../../nodes/transport/server-endpoint";
import type { Session } from "../../nodes/transport/session";
import { sessionOrAll } from "../../nodes/transport/target";
import { UpgradeRouter } from "../../nodes/transport/upgrade-router";
import { TestClient, withTimeout } from "../support/peers";
import { Recorder } from "../support/recorder";

describe("ServerEndpoint behind an UpgradeRouter", () => {
  let http: Server;
  let router: UpgradeRouter;
  let recorder: Recorder;
  let endpoint: ServerEndpoint;
  let clients: TestClient[];
  let base: string;

  async function client(path = "/ws/a", protocols: string[] = []): Promise<TestClient> {
    const opened = await TestClient.open(`${base}${path}`, protocols);
    clients.push(opened);
    return opened;
  }

  function send(frame: string | Buffer, sessionId?: string): Promise<Error | undefined> {
    return new Promise((resolve) => endpoint.send(frame, sessionOrAll(sessionId), (error) => resolve(error ?? undefined)));
  }

  beforeEach(async () => {
    http = createServer();
    http.listen(0, "127.0.0.1");
    await once(http, "listening");
    base = `ws://127.0.0.1:${(http.address() as AddressInfo).port}`;
    router = new UpgradeRouter(http);
    recorder = new Recorder();
    endpoint = new ServerEndpoint(recorder, { protocols: ["json", "text"] });
    router.add("/ws/a", endpoint);
    clients = [];
  });

  afterEach(async () => {
    await Promise.all(clients.map((c) => c.close()));
    router.remove("/ws/a", endpoint);
    await endpoint.stop();
    http.closeAllConnections();
    await new Promise<void>((resolve) => http.close(() => resolve()));
  });

  it("receives text as strings and binary as Buffers, per session", async () => {
    const one = await client();
    const two = await client("/ws/a?token=1");
    one.send("hello");
    two.send(Buffer.from([1, 2, 3]));
    const first = await recorder.wait("message", 1);
    const second = await recorder.wait("message", 2);
    const text = [first, second].find((event) => typeof event.frame === "string")!;
    const binary = [first, second].find((event) => Buffer.isBuffer(event.frame))!;
    assert.equal(text.frame, "hello");
    assert.deepEqual([...(binary.frame as Buffer)], [1, 2, 3]);
    assert.notEqual(text.session.id, binary.session.id);
    assert.equal(endpoint.sessionCount, 2);
  });

  it("keeps what the handshake told for the session's whole life", async () => {
    const before = Date.now();
    const peer = await client("/ws/a?token=1&room=x", ["text"]);
    const { session } = await recorder.wait("open");
    const { details } = session;
    assert.deepEqual([details.type, details.id, details.path, details.query], ["websocket", session.id, "/ws/a", { token: "1", room: "x" }]);
    assert.equal(details.protocol, "text");
    assert.equal(details.remoteAddress, "127.0.0.1");
    assert.equal(details.remotePort, peer.tcp.localPort);
    assert.ok(details.openedAt >= before && details.openedAt <= Date.now());
    assert.equal(session.details, details, "built once");
  });

  it("sends to a list of sessions, each once, leaving out exceptions and naming the ids that are gone", async () => {
    const peers: TestClient[] = [];
    const ids: string[] = [];
    for (let i = 1; i <= 3; i++) {
      peers.push(await client());
      ids.push((await recorder.wait("open", i)).session.id);
    }
    const [a, b] = ids as [string, string, string];
    const gone = await new Promise<readonly string[] | undefined>((resolve) =>
      endpoint.send("listed", { kind: "sessions", ids: [a, b, a, "gone-id"], except: [b] }, (error, missing) => {
        assert.ifError(error);
        resolve(missing);
      }),
    );
    assert.deepEqual(gone, ["gone-id"]);
    await new Promise<void>((resolve) => endpoint.send("all but a", { kind: "all", except: [a] }, () => resolve()));
    // Frames on one socket keep their order: once "last" is in, a's are all in.
    await new Promise<void>((resolve) => endpoint.send("last", { kind: "session", id: a }, () => resolve()));
    await peers[0]!.frame(2);
    await peers[1]!.frame(1);
    await peers[2]!.frame(1);
    assert.deepEqual(peers.map((peer) => peer.received.map((frame) => frame.data)), [["listed", "last"], ["all but a"], ["all but a"]]);
  });

  it("closes the sessions a target names with a code and a reason", async () => {
    const [one, two] = await Promise.all([client(), client()]);
    await recorder.wait("open", 2);
    one!.send("one");
    const { session } = await recorder.wait("message");
    const closed = one!.closedByPeer();
    const gone = await endpoint.close({ kind: "sessions", ids: [session.id, "gone-id"] }, 4000, "bye");
    assert.deepEqual(gone, ["gone-id"]);
    assert.deepEqual(await closed, { code: 4000, reason: "bye" });
    assert.equal(two!.socket.readyState, WebSocket.OPEN, "the other stays");
    assert.equal(endpoint.sessionCount, 1);
    const closedSession: Session = (await recorder.wait("close")).session;
    assert.equal(closedSession.id, session.id);
  });

  it("replies to one session and broadcasts to all", async () => {
    const group = await Promise.all([client(), client(), client()]);
    group[1]!.send("who am I");
    const { session } = await recorder.wait("message");
    assert.equal(await send("just you", session.id), undefined);
    assert.equal((await group[1]!.frame(1)).data, "just you");
    assert.equal(await send("everyone"), undefined);
    for (const member of group) {
      const last = await member.frame(member === group[1] ? 2 : 1);
      assert.equal(last.data, "everyone");
    }
    assert.equal(group[0]!.received.length, 1, "the reply went to one client only");
  });

  it("keeps the order of frames sent to one session", async () => {
    const peer = await client();
    const sends = Array.from({ length: 200 }, (_, i) => send(i % 2 ? `t${i}` : Buffer.from([i])));
    assert.deepEqual(await Promise.all(sends), Array(200).fill(undefined));
    await peer.frame(200);
    peer.received.forEach((frame, i) => {
      assert.equal(frame.isBinary, i % 2 === 0);
      assert.deepEqual(frame.data, i % 2 ? `t${i}` : Buffer.from([i]));
    });
  });

  it("fails a send to a session that is gone with FLOWSOCKET_ERR_SESSION_GONE", async () => {
    const error = await send("x", "nobody");
    assert.ok(error instanceof FlowsocketError);
    assert.equal(error.code, "FLOWSOCKET_ERR_SESSION_GONE");
  });

  it("negotiates the first offered subprotocol it accepts, and accepts clients that offer none", async () => {
    const picky = await client("/ws/a", ["xml", "text", "json"]);
    assert.equal(picky.socket.protocol, "text");
    const plain = await client();
    assert.equal(plain.socket.protocol, "");
  });

  it("reports open and close with code and reason", async () => {
    const peer = await client();
    const opened = await recorder.wait("open");
    peer.socket.close(4000, "bye");
    const closed = await recorder.wait("close");
    assert.equal(closed.session.id, opened.session.id);
    assert.equal(closed.code, 4000);
    assert.equal(closed.reason, "bye");
    assert.equal(endpoint.sessionCount, 0);
  });

  it("drops a client that sends a malformed frame and keeps the others", async () => {
    const good = await client();
    const bad = await client();
    // A frame with the reserved bits set and no extension to explain them.
    bad.tcp.write(Buffer.from([0xf1, 0x80, 0, 0, 0, 0]));
    const error = await recorder.wait("error");
    assert.ok(error.session);
    const closed = await bad.closedByPeer();
    assert.equal(closed.code, 1002);
    good.send("still here");
    const message = await recorder.wait("message");
    assert.equal(message.frame, "still here");
    assert.equal(endpoint.sessionCount, 1);
  });

  it("leaves upgrades for other paths to other listeners", async () => {
    const seen: string[] = [];
    const other = (request: { url?: string }, socket: { destroy(): void }) => {
      seen.push(request.url ?? "");
      socket.destroy();
    };
    http.on("upgrade", other);
    const stranger = new WebSocket(`${base}/comms`);
    await withTimeout(once(stranger, "error"), 5000, "refusal");
    http.off("upgrade", other);
    assert.deepEqual(seen, ["/comms"]);
    assert.equal(recorder.of("open").length, 0);
  });

  it("survives an endpoint that throws during an upgrade, and reports it", async () => {
    const failures: string[] = [];
    const throwing = new UpgradeRouter(http, (error, path) => failures.push(`${path}: ${error.message}`));
    const broken = {
      handleUpgrade: (): void => {
        throw new Error("taken by someone else");
      },
    };
    throwing.add("/ws/broken", broken);
    try {
      await assert.rejects(client("/ws/broken"));
      assert.deepEqual(failures, ["/ws/broken: taken by someone else"]);
      const fine = await client();
      assert.equal(fine.socket.readyState, WebSocket.OPEN);
    } finally {
      throwing.remove("/ws/broken", broken);
      assert.equal(http.listenerCount("upgrade"), 1);
    }
  });

  it("refuses a second endpoint on the same path and detaches when empty", () => {
    assert.throws(
      () => router.add("/ws/a", new ServerEndpoint(new Recorder())),
      (error: unknown) => error instanceof FlowsocketError && error.code === "FLOWSOCKET_ERR_DUPLICATE_PATH",
    );
    assert.equal(http.listenerCount("upgrade"), 1);
    router.remove("/ws/a", endpoint);
    assert.equal(http.listenerCount("upgrade"), 0);
    router.add("/ws/a", endpoint);
  });

  it("closes every client with 1001 when it stops, and refuses new ones", async () => {
    const peers = await Promise.all([client(), client()]);
    const closes = peers.map((peer) => peer.closedByPeer());
    await endpoint.stop();
    for (const closed of await Promise.all(closes)) {
      assert.equal(closed.code, 1001);
    }
    await assert.rejects(client());
  });

  it("honours verifyClient", async () => {
    const guarded = new ServerEndpoint(recorder, {
      verifyClient: (info: { req: { headers: Record<string, unknown> } }) => info.req.headers["x-key"] === "secret",
    });
    router.add("/ws/guarded", guarded);
    try {
      await assert.rejects(client("/ws/guarded"), /401/);
      const allowed = await TestClient.open(`${base}/ws/guarded`, [], { headers: { "x-key": "secret" } });
      clients.push(allowed);
    } finally {
      router.remove("/ws/guarded", guarded);
      await guarded.stop();
    }
  });
});
