import { sessionOrAll } from "../../nodes/transport/target";
import assert from "node:assert/strict";
import { once } from "node:events";
import { createServer as createHttpsServer } from "node:https";
import type { AddressInfo } from "node:net";
import { WebSocketServer } from "ws";
import { ClientConnection, type ClientConnectionOptions } from "../../nodes/transport/client-connection";
import { FlowsocketError } from "../../nodes/transport/errors";
import { makeCertificates, type TestCertificates } from "../support/certs";
import { ConnectProxy } from "../support/connect-proxy";
import { SilentServer, TestServer, withTimeout } from "../support/peers";
import { Recorder } from "../support/recorder";

const FAST_RETRY = { initialMs: 50, maxMs: 200 };

describe("ClientConnection", () => {
  let server: TestServer;
  let recorder: Recorder;
  const connections: ClientConnection[] = [];

  function connect(options: Partial<ClientConnectionOptions> = {}): ClientConnection {
    const url = options.url ?? `${server.url}/path`;
    const connection = new ClientConnection({ reconnect: FAST_RETRY, ...options, url }, recorder);
    connections.push(connection);
    connection.start();
    return connection;
  }

  function send(connection: ClientConnection, frame: string | Buffer, sessionId?: string): Promise<Error | undefined> {
    return new Promise((resolve) => connection.send(frame, sessionOrAll(sessionId), (error) => resolve(error ?? undefined)));
  }

  beforeEach(async () => {
    server = await TestServer.start();
    recorder = new Recorder();
  });

  afterEach(async () => {
    await Promise.all(connections.splice(0).map((connection) => connection.stop()));
    await server.stop();
  });

  it("connects, sends, and receives text and binary", async () => {
    const connection = connect();
    const { session } = await recorder.wait("open");
    assert.equal(connection.sessionCount, 1);
    const peer = await server.connection();
    assert.equal(server.requests[0]!.url, "/path");
    peer.send("text");
    peer.send(Buffer.from([7]));
    assert.equal((await recorder.wait("message", 1)).frame, "text");
    assert.deepEqual([...((await recorder.wait("message", 2)).frame as Buffer)], [7]);
    const received = once(peer, "message");
    assert.equal(await send(connection, "up", session.id), undefined);
    assert.equal(String((await received)[0]), "up");
  });

  it("keeps order both ways through batching and pacing", async () => {
    const connection = connect();
    const { session } = await recorder.wait("open");
    const peer = await server.connection();
    const received: string[] = [];
    peer.on("message", (data, isBinary) => received.push(isBinary ? `bin:${(data as Buffer)[0]}` : String(data)));
    const frames = Array.from({ length: 300 }, (_, i) => (i % 5 === 0 ? Buffer.from([i & 0xff]) : `up ${i}`));
    frames.forEach((frame) => connection.send(frame, { kind: "session", id: session.id }, () => undefined));
    const flood = 3000;
    for (let i = 0; i < flood; i++) {
      peer.send(`down ${i}`);
    }
    await recorder.wait("message", flood);
    assert.deepEqual(
      recorder.of("message").map((event) => event.frame),
      Array.from({ length: flood }, (_, i) => `down ${i}`),
    );
    const deadline = Date.now() + 5000;
    while (received.length < frames.length && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    assert.deepEqual(received, frames.map((frame) => (Buffer.isBuffer(frame) ? `bin:${frame[0]}` : frame)));
  });

  it("offers subprotocols and sends handshake headers", async () => {
    await server.stop();
    server = await TestServer.start({ handleProtocols: (offered: Set<string>) => (offered.has("json") ? "json" : false) });
    connect({ protocols: ["xml", "json"], headers: { Authorization: "Bearer t", "X-Custom": "1" } });
    const { session } = await recorder.wait("open");
    assert.equal(session.details.protocol, "json");
    await server.connection();
    assert.equal(server.requests[0]!.headers.authorization, "Bearer t");
    assert.equal(server.requests[0]!.headers["x-custom"], "1");
    assert.equal(server.requests[0]!.headers["sec-websocket-protocol"], "xml,json");
  });

  it("reconnects with a new session after the server restarts", async () => {
    connect();
    const first = await recorder.wait("open", 1);
    const port = server.port;
    await server.stop();
    const closed = await recorder.wait("close", 1);
    assert.equal(closed.session.id, first.session.id);
    server = await TestServer.start({}, port);
    const second = await recorder.wait("open", 2);
    assert.notEqual(second.session.id, first.session.id);
  });

  it("reports a refused connection once per attempt and keeps retrying", async () => {
    const port = server.port;
    await server.stop();
    connect({ url: `ws://127.0.0.1:${port}/` });
    const failure = await recorder.wait("error", 2);
    assert.equal(failure.session, undefined);
    assert.match(failure.error.message, /ECONNREFUSED/);
    assert.equal(recorder.of("open").length, 0);
    assert.equal(recorder.of("close").length, 0, "a connection that never opened is not reported closed");
    server = await TestServer.start();
  });

  it("detects a silent peer with the heartbeat and reconnects", async () => {
    await server.stop();
    server = await TestServer.start({ autoPong: false });
    connect({ heartbeatMs: 100 });
    const first = await recorder.wait("open", 1);
    const error = await recorder.wait("error", 1);
    assert.ok(error.error instanceof FlowsocketError);
    assert.equal(error.error.code, "FLOWSOCKET_ERR_HEARTBEAT_TIMEOUT");
    assert.equal(error.session?.id, first.session.id);
    await recorder.wait("close", 1);
    await recorder.wait("open", 2);
  });

  it("keeps a live peer through many heartbeats", async () => {
    const connection = connect({ heartbeatMs: 30 });
    await recorder.wait("open");
    const peer = await server.connection();
    let pings = 0;
    peer.on("ping", () => pings++);
    while (pings < 5) {
      await withTimeout(once(peer, "ping"), 2000, "ping");
    }
    assert.equal(recorder.of("error").length, 0);
    assert.equal(connection.state, "open");
  });

  it("fails sends while not connected and to an earlier session", async () => {
    const port = server.port;
    await server.stop();
    const connection = connect({ url: `ws://127.0.0.1:${port}/` });
    const notConnected = await send(connection, "x");
    assert.equal((notConnected as FlowsocketError).code, "FLOWSOCKET_ERR_NOT_CONNECTED");
    server = await TestServer.start({}, port);
    const { session } = await recorder.wait("open");
    const stale = await send(connection, "x", "an-old-session");
    assert.equal((stale as FlowsocketError).code, "FLOWSOCKET_ERR_SESSION_GONE");
    assert.equal(await send(connection, "x", session.id), undefined);
  });

  it("does not reconnect once closed", async () => {
    const connection = connect();
    await recorder.wait("open");
    const peer = await server.connection();
    const peerClosed = once(peer, "close");
    await connection.stop();
    const [code] = (await peerClosed) as [number];
    assert.equal(code, 1000);
    assert.equal(connection.state, "closed");
    // The retry delay is 50 ms: a stray reconnect would show up well within this wait.
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal(server.connections.length, 1);
    assert.equal(recorder.of("error").length, 0);
  });

  it("can be closed while it is still connecting, and does not try again", async () => {
    // Accepts the TCP connection and never answers: the attempt stays in its handshake.
    const silent = await SilentServer.start();
    try {
      const connection = connect({ url: `ws://127.0.0.1:${silent.port}/` });
      await silent.accepted(1);
      assert.equal(connection.state, "connecting");
      await connection.stop();
      assert.equal(connection.state, "closed");
      // The retry delay is 50 ms: a stray attempt would reach the server well within this wait.
      await new Promise((resolve) => setTimeout(resolve, 300));
      await assert.rejects(silent.accepted(2, 1), /only 1 of 2/);
      assert.equal(recorder.of("error").length, 0, "an attempt ended on purpose is no failure");
    } finally {
      await silent.stop();
    }
  });

  it("gives up on a server that accepts TCP but never answers, and retries", async () => {
    const silent = await SilentServer.start();
    try {
      connect({ url: `ws://127.0.0.1:${silent.port}/`, handshakeTimeoutMs: 150 });
      const failure = await recorder.wait("error", 1);
      assert.match(failure.error.message, /handshake has timed out/i);
      await silent.accepted(2);
    } finally {
      await Promise.all(connections.splice(0).map((connection) => connection.stop()));
      await silent.stop();
    }
  });

  it("caps a heartbeat interval that a timer cannot hold", async () => {
    const connection = connect({ heartbeatMs: 3_000_000_000 });
    await recorder.wait("open");
    // An overflowing interval fires every millisecond: a storm of pings and reconnects would show at once.
    const peer = await server.connection();
    let pings = 0;
    peer.on("ping", () => pings++);
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.equal(pings, 0);
    assert.equal(connection.state, "open");
    assert.equal(server.connections.length, 1);
  });

  describe("over TLS and proxies", () => {
    let certs: TestCertificates;
    let tlsServer: ReturnType<typeof createHttpsServer>;
    let wss: WebSocketServer;
    let proxy: ConnectProxy;
    let secureUrl: string;

    before(() => {
      certs = makeCertificates();
    });
    after(() => certs.remove());

    beforeEach(async () => {
      tlsServer = createHttpsServer({ key: certs.key, cert: certs.cert });
      wss = new WebSocketServer({ server: tlsServer });
      wss.on("connection", (socket) => socket.send("secure hello"));
      tlsServer.listen(0, "127.0.0.1");
      await once(tlsServer, "listening");
      secureUrl = `wss://localhost:${(tlsServer.address() as AddressInfo).port}/tls`;
      proxy = await ConnectProxy.start();
    });

    afterEach(async () => {
      await Promise.all(connections.splice(0).map((connection) => connection.stop()));
      await proxy.stop();
      wss.clients.forEach((socket) => socket.terminate());
      tlsServer.closeAllConnections();
      await new Promise<void>((resolve) => tlsServer.close(() => resolve()));
    });

    it("connects to wss:// with a CA it was given", async () => {
      connect({ url: secureUrl, tls: { ca: certs.ca } });
      assert.equal((await recorder.wait("message")).frame, "secure hello");
    });

    it("refuses a server its CA does not vouch for, unless verification is off", async () => {
      connect({ url: secureUrl });
      const failure = await recorder.wait("error");
      assert.match(failure.error.message, /self[- ]signed|unable to verify|certificate/i);
      await connections.pop()!.stop();
      connect({ url: secureUrl, tls: { rejectUnauthorized: false } });
      assert.equal((await recorder.wait("message")).frame, "secure hello");
    });

    it("tunnels ws:// through an HTTP CONNECT proxy, with credentials", async () => {
      connect({ proxy: proxy.url.replace("http://", "http://user:p%40ss@") });
      await recorder.wait("open");
      assert.deepEqual(proxy.tunnels, [`127.0.0.1:${server.port}`]);
      assert.equal(proxy.authorizations[0], `Basic ${Buffer.from("user:p@ss").toString("base64")}`);
    });

    it("tunnels wss:// through the proxy and checks the server's certificate inside it", async () => {
      connect({ url: secureUrl, proxy: proxy.url, tls: { ca: certs.ca } });
      assert.equal((await recorder.wait("message")).frame, "secure hello");
      assert.deepEqual(proxy.tunnels, [new URL(secureUrl).host]);
    });

    it("gives up on a proxy that never answers CONNECT", async () => {
      const silent = await SilentServer.start();
      try {
        connect({ proxy: `http://127.0.0.1:${silent.port}`, handshakeTimeoutMs: 150 });
        const failure = await recorder.wait("error", 1);
        assert.match(failure.error.message, /did not answer|timed out/);
        await silent.accepted(2);
      } finally {
        await Promise.all(connections.splice(0).map((connection) => connection.stop()));
        await silent.stop();
      }
    });

    it("reports a proxy that refuses the tunnel", async () => {
      connect({ url: "ws://127.0.0.1:9/", proxy: proxy.url });
      const failure = await recorder.wait("error");
      assert.match(failure.error.message, /refused the tunnel: 502|ECONNRESET|socket hang up/);
    });
  });
});
