import assert from "node:assert/strict";
import { once } from "node:events";
import { createServer as createHttpServer } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import type { AddressInfo } from "node:net";
import { WebSocketServer } from "ws";
import { makeCertificates, type TestCertificates } from "../support/certs";
import { ConnectProxy } from "../support/connect-proxy";
import { SilentServer, TestServer } from "../support/peers";
import { coreNode, flowsocketNodes, helper, onTab, Sink, type FlowNode } from "../support/red";
import { callsOf, errorsOf, nextError, statusMatching, type StatusCall } from "../support/spies";

function clientConfig(url: string, extra: Record<string, unknown> = {}): FlowNode {
  return { id: "client", type: "flowsocket-client", path: url, wholemsg: "false", hb: "0", subprotocol: "", tls: "", headers: [], ...extra };
}

/** An in node feeding a sink and an out node, both on the client connection. */
function pair(url: string, extra: Record<string, unknown> = {}): FlowNode[] {
  return [
    clientConfig(url, extra),
    { id: "in", type: "flowsocket-in", server: "", client: "client", wires: [["sink"]] },
    { id: "out", type: "flowsocket-out", server: "", client: "client" },
    { id: "sink", type: "helper" },
  ];
}

describe("flowsocket-client with in and out nodes", () => {
  let server: TestServer;

  async function load(flow: FlowNode[], extraNodes: unknown[] = []): Promise<void> {
    await helper.load([flowsocketNodes, ...extraNodes], onTab(flow));
  }

  beforeEach(async () => {
    server = await TestServer.start();
  });

  afterEach(async () => {
    await helper.unload();
    await server.stop();
  });

  it("connects when its nodes start, receives text and binary, and sends", async () => {
    await load(pair(`${server.url}/feed`));
    const peer = await server.connection();
    assert.equal(server.requests[0]!.url, "/feed");
    const sink = new Sink(helper.getNode("sink"));
    peer.send("text");
    peer.send(Buffer.from([9]));
    const [text, binary] = await sink.waitFor(2);
    assert.equal(text!.payload, "text");
    assert.deepEqual(binary!.payload, Buffer.from([9]));
    assert.equal((text!._session as { type: string }).type, "websocket");
    const received = once(peer, "message");
    helper.getNode("out").receive({ payload: { up: true } });
    assert.equal(String((await received)[0]), '{"up":true}');
  });

  it("replies on the connection by _session and sends nothing back to its own in node", async () => {
    await load([
      clientConfig(server.url),
      { id: "in", type: "flowsocket-in", client: "client", wires: [["sink", "out"]] },
      { id: "out", type: "flowsocket-out", client: "client" },
      { id: "sink", type: "helper" },
    ]);
    const peer = await server.connection();
    const sink = new Sink(helper.getNode("sink"));
    const echoed = once(peer, "message");
    peer.send("ping");
    assert.equal(String((await echoed)[0]), "ping", "the reply reached the server");
    peer.send("marker");
    const messages = await sink.waitFor(2);
    assert.deepEqual(
      messages.map((msg) => msg.payload),
      ["ping", "marker"],
      "the in node only saw what the server sent, not its own reply",
    );
  });

  it("offers subprotocols and sends the configured handshake headers", async () => {
    process.env.FLOWSOCKET_TEST_TOKEN = "from-env";
    try {
      await load(
        pair(server.url, {
          subprotocol: "chat, json",
          headers: [
            { keyType: "other", keyValue: "X-Api-Key", valueType: "other", valueValue: "k1" },
            { keyType: "other", keyValue: "Authorization", valueType: "env", valueValue: "FLOWSOCKET_TEST_TOKEN" },
            { keyType: "User-Agent", keyValue: "", valueType: "Mozilla/5.0", valueValue: "" },
            { keyType: "other", keyValue: "X-Empty", valueType: "other", valueValue: "" },
          ],
        }),
      );
      await server.connection();
      const headers = server.requests[0]!.headers;
      assert.equal(headers["sec-websocket-protocol"], "chat,json");
      assert.equal(headers["x-api-key"], "k1");
      assert.equal(headers.authorization, "from-env");
      assert.equal(headers["user-agent"], "Mozilla/5.0");
      assert.equal(headers["x-empty"], undefined);
    } finally {
      delete process.env.FLOWSOCKET_TEST_TOKEN;
    }
  });

  it("shows connecting, connected and disconnected, and reconnects after the server restarts", async () => {
    await load(pair(server.url));
    const node = helper.getNode("in");
    const connected = await statusMatching(node, (status) => status.event === "connect");
    assert.deepEqual([connected.fill, connected.text], ["green", "flowsocket.status.connected-one"]);
    assert.ok(connected._session?.id);
    const port = server.port;
    await server.stop();
    const dropped = await statusMatching(node, (status) => status.event === "disconnect");
    assert.equal(dropped._session?.id, connected._session?.id);
    assert.equal(dropped.text, "flowsocket.status.disconnected");
    server = await TestServer.start({}, port);
    const peer = await server.connection();
    const again = await statusMatching(node, (status) => status.event === "connect" && status._session?.id !== connected._session?.id);
    assert.equal(again.fill, "green");
    const sink = new Sink(helper.getNode("sink"));
    peer.send("after restart");
    assert.equal((await sink.waitFor(1))[0]!.payload, "after restart");
  });

  it("drops a silent peer found by the heartbeat and reconnects", async () => {
    await server.stop();
    server = await TestServer.start({ autoPong: false });
    await load(pair(server.url, { hb: "0.1" }));
    await server.connection(1);
    const lost = await nextErrorOf("client");
    assert.equal(lost, "flowsocket.errors.connection-lost");
    await server.connection(2);
  });

  it("reports a failing connection once, not at every retry, in status and log", async () => {
    // Every attempt fails the same way, and the server counts the attempts.
    const dropper = await SilentServer.start({ drop: true });
    try {
      await load(pair(`ws://127.0.0.1:${dropper.port}/ws`));
      // When the fourth attempt reaches the server, three have failed.
      await dropper.accepted(4, 6000);
      const events = (callsOf(helper.getNode("in"), "status") as StatusCall[]).filter((status) => status.event);
      assert.deepEqual(
        events.map((status) => [status.event, status.text]),
        [
          ["connecting", "flowsocket.status.connecting"],
          ["error", "flowsocket.status.no-answer"],
        ],
      );
      assert.deepEqual(errorsOf(helper.getNode("client")), ["flowsocket.errors.connect-failed"]);
    } finally {
      await helper.unload();
      await dropper.stop();
    }
  });

  it("fails sends while disconnected, with the message for Catch", async () => {
    const port = server.port;
    await server.stop();
    await load(pair(`ws://127.0.0.1:${port}/`));
    const failure = nextError(helper.getNode("out"));
    helper.getNode("out").receive({ payload: "lost" });
    const { error, msg } = await failure;
    assert.equal((error as Error).message, "flowsocket.errors.not-connected");
    assert.equal((msg as { payload: string }).payload, "lost");
    server = await TestServer.start();
  });

  it("closes with 1000 on redeploy and does not come back", async () => {
    await load(pair(server.url));
    const peer = await server.connection();
    await statusMatching(helper.getNode("in"), (status) => status.event === "connect");
    const closed = once(peer, "close");
    await helper.unload();
    const [code] = (await closed) as [number];
    assert.equal(code, 1000);
    // The first retry would come after 0.5 s: wait past it, bounded.
    await new Promise((resolve) => setTimeout(resolve, 800));
    assert.equal(server.connections.length, 1);
  });

  it("reports an invalid URL and a missing TLS node without crashing", async () => {
    await load([
      clientConfig("http://not-a-websocket"),
      { ...clientConfig(server.url, { tls: "gone" }), id: "client2" },
      { id: "in", type: "flowsocket-in", client: "client", wires: [[]] },
      { id: "in2", type: "flowsocket-in", client: "client2", wires: [[]] },
    ]);
    assert.deepEqual(errorsOf(helper.getNode("client")), ["flowsocket.errors.bad-client"]);
    assert.deepEqual(errorsOf(helper.getNode("client2")), ["flowsocket.errors.bad-client"]);
    await statusMatching(helper.getNode("in"), (status) => status.text === "flowsocket.status.invalid-url");
    await statusMatching(helper.getNode("in2"), (status) => status.text === "flowsocket.status.bad-settings");
  });

  it("says the URL is invalid when an out node sends through it", async () => {
    await load(pair("not a url"));
    const failure = nextError(helper.getNode("out"));
    helper.getNode("out").receive({ payload: "x" });
    assert.equal(((await failure).error as Error).message, "flowsocket.errors.bad-client");
  });

  it("says which environment variable is not set when the URL is one", async () => {
    delete process.env.FLOWSOCKET_TEST_UNSET_URL;
    await load(pair("${FLOWSOCKET_TEST_UNSET_URL}"));
    assert.deepEqual(errorsOf(helper.getNode("client")), ["flowsocket.errors.env-unset"]);
    await statusMatching(helper.getNode("in"), (status) => status.text === "flowsocket.status.env-unset");
    const failure = nextError(helper.getNode("out"));
    helper.getNode("out").receive({ payload: "x" });
    assert.equal(((await failure).error as Error).message, "flowsocket.errors.env-unset");
  });

  it("says a wss:// server did not speak TLS, and a path nothing listens on, in status", async () => {
    const http = createHttpServer((_request, response) => {
      response.statusCode = 404;
      response.end();
    });
    await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));
    const port = (http.address() as AddressInfo).port;
    try {
      await load([
        ...pair(`wss://127.0.0.1:${port}/ws`),
        { ...clientConfig(`ws://127.0.0.1:${port}/nothing`), id: "client2" },
        { id: "in2", type: "flowsocket-in", client: "client2", wires: [[]] },
      ]);
      await statusMatching(helper.getNode("in"), (status) => status.text === "flowsocket.status.not-tls");
      await statusMatching(helper.getNode("in2"), (status) => status.text === "flowsocket.status.not-found");
    } finally {
      await helper.unload();
      http.closeAllConnections();
      await new Promise((resolve) => http.close(resolve));
    }
  });

  it("emits connect, disconnect and attempt errors as messages, with the connection's details", async () => {
    const flow = pair(server.url);
    flow[1] = { ...flow[1]!, events: true, metadata: true };
    await load(flow);
    const sink = new Sink(helper.getNode("sink"));
    const peer = await server.connection();
    const [connect] = (await sink.waitFor(1)) as Record<string, unknown>[];
    assert.equal(connect!.event, "connect");
    const session = connect!._session as Record<string, unknown>;
    assert.equal(session.url, new URL(server.url).href);
    assert.equal(session.protocol, "");
    assert.equal("path" in session, false);
    peer.close(4002, "bye");
    const [, disconnect] = (await sink.waitFor(2)) as Record<string, unknown>[];
    assert.deepEqual([disconnect!.event, disconnect!.code, disconnect!.reason, disconnect!.cause], ["disconnect", 4002, "bye", "peer"]);
  });

  it("tells what failed in an attempt's error event", async () => {
    const http = createHttpServer((_request, response) => {
      response.statusCode = 404;
      response.end();
    });
    await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));
    try {
      const flow = pair(`ws://127.0.0.1:${(http.address() as AddressInfo).port}/nothing`);
      flow[1] = { ...flow[1]!, events: true };
      await load(flow);
      const [error] = (await new Sink(helper.getNode("sink")).waitFor(1)) as Record<string, unknown>[];
      assert.equal(error!.event, "error");
      assert.deepEqual(error!.error, { message: "the server answered HTTP 404", failure: "not-found", status: 404 });
    } finally {
      await helper.unload();
      http.closeAllConnections();
      await new Promise((resolve) => http.close(resolve));
    }
  });

  it("sends and receives whole messages in wholemsg mode", async () => {
    await load(pair(server.url, { wholemsg: "true" }));
    const peer = await server.connection();
    const sink = new Sink(helper.getNode("sink"));
    peer.send('{"payload":"p","topic":"t"}');
    const [msg] = await sink.waitFor(1);
    assert.deepEqual([msg!.payload, msg!.topic], ["p", "t"]);
    const received = once(peer, "message");
    helper.getNode("out").receive({ payload: 1, topic: "up", _session: msg!._session });
    const sent = JSON.parse(String((await received)[0])) as Record<string, unknown>;
    assert.deepEqual([sent.payload, sent.topic, "_session" in sent], [1, "up", false]);
  });

  it("follows Node-RED's proxyOptions setting when it reads the environment", async () => {
    const proxy = await ConnectProxy.start();
    const saved = { HTTP_PROXY: process.env.HTTP_PROXY, http_proxy: process.env.http_proxy, no_proxy: process.env.no_proxy };
    process.env.HTTP_PROXY = proxy.url;
    delete process.env.http_proxy;
    delete process.env.no_proxy;
    helper.settings({ proxyOptions: { lowerCaseOnly: true } });
    try {
      await load(pair(`${server.url}/direct`));
      await server.connection();
      assert.deepEqual(proxy.tunnels, [], "HTTP_PROXY is ignored with lowerCaseOnly");
    } finally {
      helper.settings({});
      restoreEnv(saved);
      await helper.unload();
      await proxy.stop();
    }
  });

  it("connects through an HTTP CONNECT proxy from the environment", async () => {
    const proxy = await ConnectProxy.start();
    const saved = { http_proxy: process.env.http_proxy, no_proxy: process.env.no_proxy };
    process.env.http_proxy = proxy.url;
    delete process.env.no_proxy;
    try {
      await load(pair(`${server.url}/proxied`));
      const peer = await server.connection();
      assert.deepEqual(proxy.tunnels, [`127.0.0.1:${server.port}`]);
      const sink = new Sink(helper.getNode("sink"));
      peer.send("through the tunnel");
      assert.equal((await sink.waitFor(1))[0]!.payload, "through the tunnel");
    } finally {
      restoreEnv(saved);
      await helper.unload();
      await proxy.stop();
    }
  });

  describe("over wss:// with a tls-config node", () => {
    let certs: TestCertificates;
    const servers: { close(): Promise<void> }[] = [];
    const tlsNode = coreNode("core/network/05-tls.js");

    /** A wss:// server on 127.0.0.1 that greets each client with the CN of its certificate, if any. */
    async function tlsServer(options: import("node:https").ServerOptions): Promise<number> {
      const https = createHttpsServer(options);
      const wss = new WebSocketServer({ server: https });
      wss.on("connection", (socket, request) => {
        const peer = (request.socket as import("node:tls").TLSSocket).getPeerCertificate();
        socket.send(peer?.subject?.CN ? `hello ${peer.subject.CN}` : "over tls");
      });
      https.listen(0, "127.0.0.1");
      await once(https, "listening");
      servers.push({
        close: async () => {
          wss.clients.forEach((socket) => socket.terminate());
          https.closeAllConnections();
          await new Promise<void>((resolve) => https.close(() => resolve()));
        },
      });
      return (https.address() as AddressInfo).port;
    }

    function tlsConfig(fields: Record<string, unknown>): FlowNode {
      return { id: "tls", type: "tls-config", ca: "", cert: "", key: "", verifyservercert: true, servername: "", ...fields };
    }

    async function greeting(): Promise<unknown> {
      const [msg] = await new Sink(helper.getNode("sink")).waitFor(1);
      return msg!.payload;
    }

    before(() => {
      certs = makeCertificates();
    });

    afterEach(async () => {
      await helper.unload();
      await Promise.all(servers.splice(0).map((server) => server.close()));
    });

    after(() => certs.remove());

    it("trusts a self-signed CA given in the tls-config node", async () => {
      const port = await tlsServer({ key: certs.key, cert: certs.cert });
      await load([...pair(`wss://localhost:${port}/`, { tls: "tls" }), tlsConfig({ ca: certs.caFile })], [tlsNode]);
      assert.equal(await greeting(), "over tls");
    });

    it("refuses the same server without the CA", async () => {
      const port = await tlsServer({ key: certs.key, cert: certs.cert });
      await load(pair(`wss://localhost:${port}/`));
      assert.equal(await nextErrorOf("client"), "flowsocket.errors.connect-failed");
    });

    it("connects without the CA when verification is off", async () => {
      const port = await tlsServer({ key: certs.key, cert: certs.cert });
      await load([...pair(`wss://localhost:${port}/`, { tls: "tls" }), tlsConfig({ verifyservercert: false })], [tlsNode]);
      assert.equal(await greeting(), "over tls");
    });

    it("presents the client certificate and key from the tls-config node", async () => {
      const port = await tlsServer({ key: certs.key, cert: certs.cert, ca: certs.ca, requestCert: true, rejectUnauthorized: true });
      await load(
        [
          ...pair(`wss://localhost:${port}/`, { tls: "tls" }),
          tlsConfig({ ca: certs.caFile, cert: certs.clientCertFile, key: certs.clientKeyFile }),
        ],
        [tlsNode],
      );
      assert.equal(await greeting(), "hello flowsocket client");
    });

    it("checks the certificate against the server name from the tls-config node", async () => {
      const port = await tlsServer({ key: certs.altKey, cert: certs.altCert });
      await load(
        [...pair(`wss://127.0.0.1:${port}/`, { tls: "tls" }), tlsConfig({ ca: certs.caFile, servername: "flowsocket.test" })],
        [tlsNode],
      );
      assert.equal(await greeting(), "over tls");
    });
  });
});

/** The next error (a catalog key) the node with this id logs. */
function nextErrorOf(id: string, ms = 5000): Promise<string> {
  const node = helper.getNode(id);
  const known = errorsOf(node);
  if (known.length > 0) {
    return Promise.resolve(known[0]!);
  }
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no error from ${id} within ${ms} ms`)), ms);
    node.once("call:error", (call: { args: unknown[] }) => {
      clearTimeout(timer);
      resolve(String(call.args[0]));
    });
  });
}

function restoreEnv(saved: Record<string, string | undefined>): void {
  for (const [name, value] of Object.entries(saved)) {
    if (value === undefined) {
      delete process.env[name];
    } else {
      process.env[name] = value;
    }
  }
}
