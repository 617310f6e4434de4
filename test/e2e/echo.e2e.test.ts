import { strict as assert } from "node:assert";
import { readFile, rm } from "node:fs/promises";
import { join, resolve, sep } from "node:path";
import { nextDebugMessage } from "../support/comms";
import { NodeRedProcess } from "../support/node-red-process";
import { installPackedPackage, withClientPort } from "../support/packed-install";
import { TestClient } from "../support/peers";

const ROOT = resolve(__dirname, "..", "..", "..");
const MODULE = "@flowsocket/node-red";
const TYPES = ["flowsocket-client", "flowsocket-in", "flowsocket-listener", "flowsocket-out"];

type FlowNode = Record<string, unknown> & { id: string; type: string };

/**
 * The package as a user gets it: packed, installed from the tarball with
 * npm (so no devDependencies), and loaded by a real Node-RED process, which
 * then runs the shipped echo example.
 */
describe("e2e: the packed package in a real Node-RED", function () {
  this.timeout(180000);

  let tmp: string | undefined;
  let userDir: string;
  let red: NodeRedProcess | undefined;
  let example: FlowNode[];
  let deployed: FlowNode[];
  const clients: TestClient[] = [];

  before(async function () {
    ({ tmp, userDir } = await installPackedPackage());
    red = await NodeRedProcess.start({ userDir });
    example = JSON.parse(await readFile(join(ROOT, "examples", "echo.json"), "utf8")) as FlowNode[];
    deployed = withClientPort(example, red.port);
    await red.deploy(deployed);
  });

  afterEach(function () {
    if (this.currentTest?.state === "failed" && red) {
      console.log(`--- Node-RED output ---\n${red.output()}`);
    }
  });

  after(async function () {
    await Promise.all(clients.map((client) => client.close()));
    await red?.stop();
    if (tmp) {
      await rm(tmp, { recursive: true, force: true });
    }
  });

  it("runs the Node-RED that FLOWSOCKET_NODE_RED chose", async function () {
    const settings = (await red!.get("/settings")).body as { version: string };
    // Node-RED adds "-git" when a .git folder sits three levels above its runtime,
    // as this repository's does above node_modules/@node-red/runtime.
    assert.equal(settings.version.replace(/-git$/, ""), red!.version);
  });

  it("loads the four node types from the installed tarball", async function () {
    const sets = (await red!.get("/nodes")).body as Record<string, unknown>[];
    const ours = sets.filter((set) => set.module === MODULE);
    assert.equal(ours.length, 1, `node sets of ${MODULE}: ${JSON.stringify(ours)}`);
    const set = ours[0]!;
    assert.equal(set.err, undefined, `load error: ${String(set.err)}`);
    assert.equal(set.enabled, true);
    assert.deepEqual([...(set.types as string[])].sort(), TYPES);

    // From the user directory's node_modules, not from the repository.
    const module = (await red!.get(`/nodes/${MODULE}`)).body as { path: string; version: string };
    assert.equal(module.path, join(userDir, "node_modules", ...MODULE.split("/")));
    assert.ok(!module.path.startsWith(ROOT + sep), module.path);
  });

  it("runs the example as deployed", async function () {
    const running = (await red!.get("/flows")).body as FlowNode[];
    assert.deepEqual(
      running.map((node) => node.id).sort(),
      example.map((node) => node.id).sort(),
    );
    const tab = running.find((node) => node.type === "tab");
    assert.equal(tab?.label, "FlowSocket echo");
    const client = running.find((node) => node.type === "flowsocket-client");
    assert.equal(client?.path, `ws://localhost:${red!.port}/ws/echo`);
  });

  it("echoes a text frame as text and a binary frame as binary, to the sender only", async function () {
    const url = `ws://127.0.0.1:${red!.port}/ws/echo`;
    const sender = await TestClient.open(url);
    clients.push(sender);
    const bystander = await TestClient.open(url);
    clients.push(bystander);

    const text = "hello, echo ✓";
    const binary = Buffer.from([0x00, 0x01, 0x7f, 0x80, 0xfe, 0xff]);
    sender.send(text);
    sender.send(binary);
    assert.deepEqual(await sender.frame(1), { data: text, isBinary: false });
    assert.deepEqual(await sender.frame(2), { data: binary, isBinary: true });

    // Had the sender's frames been broadcast, they would reach the bystander
    // before the echo of its own later frame.
    bystander.send("mine");
    assert.deepEqual(await bystander.frame(1), { data: "mine", isBinary: false });
    assert.equal(bystander.received.length, 1);
    assert.equal(sender.received.length, 2);
  });

  it("runs the connect-mode half: the inject's hello comes back to the debug node", async function () {
    const debugNode = example.find((node) => node.type === "debug")!;
    const message = await nextDebugMessage(red!.port, (data) => data.id === debugNode.id, 15000);
    assert.equal(message.msg, "hello");
  });
});
