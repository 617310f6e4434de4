import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { request } from "node:http";
import { createServer as createTcpServer } from "node:net";
import { join } from "node:path";
import type { ClientOptions } from "ws";
import { makeCertificates, type TestCertificates } from "../support/certs";
import { freePort } from "../support/node-red-process";
import { TestClient } from "../support/peers";
import { countUpgradeAnswers } from "../support/raw-upgrade";
import { coreNode, flowsocketNodes, helper, onTab, type FlowNode } from "../support/red";
import { statusMatching } from "../support/spies";

const tlsNode = coreNode("core/network/05-tls.js");

/** Two listeners on one port of their own, on /a and /b, each echoing. */
function flow(port: number, extra: Record<string, unknown> = {}): FlowNode[] {
  const echo = (id: string, path: string): FlowNode[] => [
    { id, type: "flowsocket-listener", path, wholemsg: "false", host: "127.0.0.1", port: String(port), ...extra },
    { id: `${id}-in`, type: "flowsocket-in", server: id, wires: [[`${id}-out`]] },
    { id: `${id}-out`, type: "flowsocket-out", server: id },
  ];
  return [...echo("a", "/a"), ...echo("b", "/b")];
}

async function echoes(url: string, options: ClientOptions = {}): Promise<TestClient> {
  const client = await TestClient.open(url, [], options);
  client.send("ping");
  assert.equal((await client.frame(1)).data, "ping");
  return client;
}

/** The status of a plain HTTP GET. */
function get(url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    request(url, (response) => {
      response.resume();
      resolve(response.statusCode ?? 0);
    })
      .on("error", reject)
      .end();
  });
}

/** Whether a port is free to listen on again. */
async function isFree(port: number): Promise<boolean> {
  const probe = createTcpServer();
  return new Promise((resolve) => {
    probe.once("error", () => resolve(false));
    probe.listen(port, "127.0.0.1", () => probe.close(() => resolve(true)));
  });
}

describe("a listener on a port of its own", () => {
  const clients: TestClient[] = [];
  let certs: TestCertificates;

  before(async () => {
    certs = makeCertificates();
    await helper.startServer();
  });
  after(async () => {
    await helper.stopServer();
    certs.remove();
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((client) => client.close()));
    await helper.unload();
  });

  it("serves several listeners on one port, apart from Node-RED's, and releases it when they stop", async () => {
    const port = await freePort();
    await helper.load([flowsocketNodes], onTab(flow(port)));
    clients.push(await echoes(`ws://127.0.0.1:${port}/a`), await echoes(`ws://127.0.0.1:${port}/b`));
    // Node-RED's server leaves an upgrade for a path nobody serves unanswered: a short wait tells.
    await assert.rejects(TestClient.open(`${helper.url().replace("http", "ws")}/a`, [], { handshakeTimeout: 500 }), "not on Node-RED's server");
    assert.equal(await get(`http://127.0.0.1:${port}/a`), 426, "plain HTTP: this port is for WebSockets");
    const unknown = await countUpgradeAnswers(`ws://127.0.0.1:${port}/elsewhere`).then(
      () => "answered 101",
      (error: Error) => error.message,
    );
    assert.match(unknown, /404 Not Found/);
    await Promise.all(clients.splice(0).map((client) => client.close()));
    await helper.unload();
    assert.equal(await isFree(port), true, "the port is released");
  });

  it("keeps the port, and the other listener's clients, through a redeploy of one listener", async () => {
    const port = await freePort();
    const nodes = flow(port);
    await helper.load([flowsocketNodes], onTab(nodes));
    const onB = await echoes(`ws://127.0.0.1:${port}/b`);
    clients.push(onB);
    const changed = nodes.map((node) => (node.id === "a" ? { ...node, name: "changed" } : node));
    await helper.setFlows(onTab(changed), "nodes");
    clients.push(await echoes(`ws://127.0.0.1:${port}/a`));
    onB.send("still");
    assert.equal((await onB.frame(2)).data, "still");
  });

  it("says so when its port cannot be listened on", async () => {
    const taken = createTcpServer();
    const port = await new Promise<number>((resolve) => taken.listen(0, "127.0.0.1", () => resolve((taken.address() as import("node:net").AddressInfo).port)));
    try {
      await helper.load([flowsocketNodes], onTab(flow(port)));
      await statusMatching(helper.getNode("a-in"), (status) => status.text === "flowsocket.status.port-failed");
      assert.equal((helper.getNode("a") as unknown as { problem?: string }).problem, "flowsocket.errors.port-failed");
    } finally {
      await new Promise((resolve) => taken.close(resolve));
    }
  });

  it("speaks TLS with a tls-config node, and checks client certificates when told to", async () => {
    const port = await freePort();
    const tls = { id: "tls", type: "tls-config", cert: join(certs.dir, "server.pem"), key: join(certs.dir, "server.key"), ca: certs.caFile, verifyservercert: true, servername: "" };
    await helper.load([flowsocketNodes, tlsNode], onTab([...flow(port, { tls: "tls", clientCert: true }), tls]));
    const url = `wss://127.0.0.1:${port}/a`;
    await assert.rejects(TestClient.open(url, [], { ca: certs.ca }), "no client certificate: refused in the TLS handshake");
    clients.push(await echoes(url, { ca: certs.ca, cert: readFileSync(certs.clientCertFile), key: readFileSync(certs.clientKeyFile) }));
  });
});
