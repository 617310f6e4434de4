import assert from "node:assert/strict";
import bcrypt from "bcryptjs";
import { flowsocketNodes, helper, onTab, Sink, type FlowNode } from "../support/red";
import { TestClient } from "../support/peers";
import { countUpgradeAnswers } from "../support/raw-upgrade";

const PATH = "/ws/guarded";
type Msg = Record<string, unknown> & { _session?: Record<string, unknown> };

function url(query = ""): string {
  return `${helper.url().replace("http", "ws")}${PATH}${query}`;
}

/** A guarded listener with an in node (events and metadata on) feeding a sink, and an echo. */
function flow(listener: Record<string, unknown>): FlowNode[] {
  return [
    { id: "listener", type: "flowsocket-listener", path: PATH, wholemsg: "false", ...listener },
    { id: "in", type: "flowsocket-in", server: "listener", events: true, metadata: true, wires: [["sink", "out"]] },
    { id: "out", type: "flowsocket-out", server: "listener" },
    { id: "sink", type: "helper" },
  ];
}

describe("who may connect to a listener", () => {
  const clients: TestClient[] = [];
  let sink: Sink;

  async function load(listener: Record<string, unknown>, token?: string): Promise<void> {
    await helper.load([flowsocketNodes], onTab(flow(listener)), token === undefined ? {} : { listener: { token } });
    sink = new Sink(helper.getNode("sink"));
  }

  async function client(query = "", options: { headers?: Record<string, string>; protocols?: string[] } = {}): Promise<TestClient> {
    const opened = await TestClient.open(url(query), options.protocols ?? [], { headers: options.headers ?? {} });
    clients.push(opened);
    return opened;
  }

  /** The HTTP status a handshake gets, from a client that sends `headers`. */
  async function statusOf(query: string, headers: Record<string, string> = {}): Promise<number> {
    const error = await client(query, { headers }).then(
      () => undefined,
      (failure: Error) => failure,
    );
    return Number(/unexpected response (\d+)/.exec(error?.message ?? "")?.[1] ?? 101);
  }

  const of = (kind: string): Msg[] => sink.of(kind) as Msg[];

  before(() => helper.startServer());
  after(() => helper.stopServer());
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close()));
    await helper.unload();
    helper.settings({});
  });

  it("asks for the token from its credentials: 401 without or with a wrong one, the principal with the right one", async () => {
    await load({ tokenName: "sensors" }, "s3cret");
    assert.equal(await statusOf(""), 401);
    assert.equal(await statusOf("", { authorization: "Bearer wrong" }), 401);
    const errors = await sink.waitFor(1);
    assert.equal(errors[0]!.event, "error", "a refusal is an error event");
    assert.match((errors[0]!.error as { message: string }).message, /no token/);
    assert.equal((errors[0]!.error as { status?: number }).status, 401);
    assert.equal(of("connect").length, 0, "no refused client reaches the flow as a session");
    const peer = await client("", { headers: { authorization: "Bearer s3cret" } });
    // The second refusal, like the first, is not told again until a session opens.
    const [, connect] = (await sink.waitFor(2)) as Msg[];
    assert.equal(connect!.event, "connect");
    assert.deepEqual(connect!._session!.principal, { method: "token", name: "sensors", source: "header" });
    assert.equal(JSON.stringify(sink.messages).includes("s3cret"), false, "the secret is on no message");
    peer.send("in");
    assert.equal((await peer.frame(1)).data, "in");
  });

  it("takes the token from a query parameter or a subprotocol entry when told to", async () => {
    await load({ tokenQuery: "access_token", tokenSubprotocol: true, subprotocol: "chat" }, "t0k");
    assert.equal(await statusOf("?access_token=nope"), 401);
    await client("?access_token=t0k");
    const viaProtocol = await client("", { protocols: ["chat", "bearer.t0k"] });
    assert.equal(viaProtocol.socket.protocol, "chat", "the token entry is never the chosen protocol");
    assert.equal(await statusOf("", { authorization: "Bearer t0k" }), 401, "the header is not a source here");
  });

  it("refuses an origin not on its list with 403", async () => {
    await load({ origins: "https://app.example, http://localhost:8080/" });
    assert.equal(await statusOf("", { origin: "https://evil.example" }), 403);
    assert.equal(await statusOf(""), 403, "no Origin at all is not on the list either");
    await client("", { headers: { origin: "http://localhost:8080" } });
  });

  it("asks for Node-RED's httpNodeAuth credentials when told to", async () => {
    helper.settings({ httpNodeAuth: { user: "ann", pass: bcrypt.hashSync("pw", 4) } });
    await load({ httpNodeAuth: true });
    const basic = (user: string, pass: string): string => `Basic ${Buffer.from(`${user}:${pass}`).toString("base64")}`;
    assert.equal(await statusOf("", { authorization: basic("ann", "wrong") }), 401);
    await client("", { headers: { authorization: basic("ann", "pw") } });
    const [, connect] = (await sink.waitFor(2)) as Msg[];
    assert.deepEqual(connect!._session!.principal, { method: "basic", user: "ann" });
  });

  it("answers a refused handshake once, with the status and no WebSocket", async () => {
    await load({}, "x");
    // The listener answers 401 and ends the connection: the probe never gets its pong.
    const refused = await countUpgradeAnswers(url()).then(
      () => "answered 101",
      (error: Error) => error.message,
    );
    assert.match(refused, /HTTP\/1\.1 401 Unauthorized/);
    assert.doesNotMatch(refused, /101/);
  });

  it("cannot start when httpNodeAuth is asked for but not set", async () => {
    await load({ httpNodeAuth: true });
    const listener = helper.getNode("listener");
    assert.equal((listener as unknown as { problem?: string }).problem, "flowsocket.errors.bad-setting");
  });
});
