import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { connect, type Socket } from "node:net";
import { flowsocketNodes, helper, onTab, Sink, type FlowNode } from "../support/red";
import { TestClient, withTimeout } from "../support/peers";
import { rawPeer, upgradeRequest } from "../support/raw-upgrade";

const PATH = "/ws/attacked";

function url(): string {
  return `${helper.url().replace("http", "ws")}${PATH}`;
}

/** A masked frame as a client sends it: `first` is FIN, RSV and opcode; the payload is short (< 126 bytes). */
function maskedFrame(first: number, payload: Buffer): Buffer {
  const mask = randomBytes(4);
  const masked = Buffer.from(payload.map((byte, i) => byte ^ mask[i % 4]!));
  return Buffer.concat([Buffer.from([first, 0x80 | payload.length]), mask, masked]);
}

/** Sends `request` as raw bytes and resolves with the first line of the answer ("" when the server just closes). */
function rawRequest(request: string | Buffer, ms = 5000): Promise<string> {
  const { hostname, port } = new URL(url());
  return new Promise((resolve) => {
    const socket: Socket = connect(Number(port), hostname);
    let received = "";
    const timer = setTimeout(() => finish(), ms);
    const finish = (): void => {
      clearTimeout(timer);
      socket.destroy();
      resolve(received.split("\r\n")[0] ?? "");
    };
    socket.on("data", (chunk: Buffer) => {
      received += chunk.toString("latin1");
      if (received.includes("\r\n")) {
        finish();
      }
    });
    socket.on("error", finish);
    socket.on("close", finish);
    socket.write(request);
  });
}

describe("a hostile client against a listener", () => {
  let bystander: TestClient;
  let sink: Sink;

  /** The other client's echo still works: Node-RED and every other session are untouched. */
  async function bystanderEchoes(): Promise<void> {
    const before = bystander.received.length;
    bystander.send(`echo ${before}`);
    assert.equal(JSON.parse((await bystander.frame(before + 1)).data as string).payload, `echo ${before}`);
  }

  before(async () => {
    await helper.startServer();
    const flow: FlowNode[] = [
      { id: "listener", type: "flowsocket-listener", path: PATH, wholemsg: "true" },
      { id: "in", type: "flowsocket-in", server: "listener", wires: [["out", "sink"]] },
      { id: "out", type: "flowsocket-out", server: "listener" },
      { id: "sink", type: "helper" },
    ];
    await helper.load([flowsocketNodes], onTab(flow));
    sink = new Sink(helper.getNode("sink"));
    bystander = await TestClient.open(url());
  });
  after(async () => {
    await bystander.close();
    await helper.unload();
    await helper.stopServer();
  });
  afterEach(() => bystanderEchoes());

  it("closes a text frame of invalid UTF-8 with 1007", async () => {
    const { socket, closeCode } = await rawPeer(url());
    socket.write(maskedFrame(0x81, Buffer.from([0xc3, 0x28])));
    assert.equal(await closeCode, 1007);
  });

  it("closes an unmasked client frame with 1002", async () => {
    const { socket, closeCode } = await rawPeer(url());
    socket.write(Buffer.from([0x81, 0x02, 0x68, 0x69]));
    assert.equal(await closeCode, 1002);
  });

  it("closes a frame with a reserved opcode with 1002", async () => {
    const { socket, closeCode } = await rawPeer(url());
    socket.write(maskedFrame(0x83, Buffer.from("x")));
    assert.equal(await closeCode, 1002);
  });

  it("passes malformed JSON in entire-message mode on as a payload, and echoes it", async () => {
    const peer = await TestClient.open(url());
    try {
      peer.send('{"payload": "unterminated');
      assert.equal(JSON.parse((await peer.frame(1)).data as string).payload, '{"payload": "unterminated');
    } finally {
      await peer.close();
    }
  });

  it("answers broken handshakes with a 400-class status, or closes them, and never crashes", async () => {
    const good = upgradeRequest(url());
    const cases = [
      good.replace(/Sec-WebSocket-Key: \S+/, "Sec-WebSocket-Key: short"),
      // `ws` takes versions 8 and 13; 7 is none it speaks.
      good.replace("Sec-WebSocket-Version: 13", "Sec-WebSocket-Version: 7"),
      good.replace("Upgrade: websocket", "Upgrade: nonsense"),
      "GARBAGE /// \r\n\r\n",
      Buffer.concat([randomBytes(512), Buffer.from("\r\n\r\n")]),
    ];
    for (const request of cases) {
      const line = await rawRequest(request);
      assert.ok(line === "" || /^HTTP\/1\.1 4\d\d /.test(line), `answered ${JSON.stringify(line)}`);
    }
  });

  it("survives random bytes after a valid handshake from 200 connections, and logs little", async function () {
    this.timeout(60000);
    const warnings: unknown[] = [];
    const errors: unknown[] = [];
    const listener = helper.getNode("listener");
    listener.on("call:warn", (call: { args: unknown[] }) => warnings.push(call.args[0]));
    listener.on("call:error", (call: { args: unknown[] }) => errors.push(call.args[0]));
    const deadline = Date.now() + 40000;
    let done = 0;
    // 20 rounds of 10 at once: bounded in count (200) and time (40 s).
    for (let round = 0; round < 20 && Date.now() < deadline; round++) {
      await Promise.all(
        Array.from({ length: 10 }, async () => {
          const { socket, closeCode } = await rawPeer(url(), 3000);
          socket.write(randomBytes(64 + Math.floor(Math.random() * 1024)));
          await closeCode;
          done++;
        }),
      );
    }
    assert.equal(done, 200);
    // Each kind of failure is one line a minute; a fuzzer finds a handful of kinds.
    assert.ok(warnings.length + errors.length <= 12, `${warnings.length + errors.length} log lines for 200 fuzzing connections`);
    await withTimeout(bystanderEchoes(), 5000, "the bystander's echo after the fuzzing");
    assert.ok(sink.messages.length > 0);
  });
});
