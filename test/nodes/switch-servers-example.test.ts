import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { withClientPort } from "../support/packed-install";
import { coreNode, flowsocketNodes, helper, ROOT, Sink, type FlowNode } from "../support/red";

const example = JSON.parse(readFileSync(join(ROOT, "examples", "switch-servers.json"), "utf8")) as FlowNode[];

/** A node of the example, by its name. */
function named(name: string): string {
  const node = example.find((candidate) => candidate.name === name);
  assert.ok(node, `no node named ${name} in the example`);
  return node.id;
}

type Msg = Record<string, unknown> & { _session?: { url?: string } };

describe("examples/switch-servers.json", () => {
  before(() => helper.startServer());
  after(() => helper.stopServer());
  afterEach(() => helper.unload());

  it("connects to server A on deploy, moves to B and disconnects on command, and shows who answers", async () => {
    const port = Number(new URL(helper.url()).port);
    await helper.load(
      [
        flowsocketNodes,
        coreNode("core/common/20-inject.js"),
        coreNode("core/common/21-debug.js"),
        coreNode("core/common/90-comment.js"),
        coreNode("core/function/15-change.js"),
      ],
      // Hello is pressed by the test rather than every 2 s, so the order of what arrives is known.
      withClientPort(example, port).map((node) => (node.id === named("hello every 2 s") ? { ...node, repeat: "" } : node)),
    );
    // What reaches the debug node: the client's answers and events.
    const seen = new Sink(helper.getNode(named("who answered")));
    const next = async (): Promise<Msg> => (await seen.waitFor(seen.messages.length + 1, 8000)).at(-1) as Msg;
    const press = (name: string): void => helper.getNode(named(name)).receive({});

    // "connect to A" fires once after the deploy.
    const connected = await next();
    assert.equal(connected.event, "connect");
    assert.match(connected._session!.url!, /\/ws\/server-a$/);
    press("hello every 2 s");
    assert.equal((await next()).payload, "server A");

    press("connect to B");
    const left = await next();
    assert.deepEqual([left.event, left.cause], ["disconnect", "flow"]);
    const moved = await next();
    assert.equal(moved.event, "connect");
    assert.match(moved._session!.url!, new RegExp(`:${port}/ws/server-b$`), "the relative URL kept host and port");
    press("hello every 2 s");
    assert.equal((await next()).payload, "server B");

    press("disconnect");
    const down = await next();
    assert.deepEqual([down.event, down.cause], ["disconnect", "flow"]);
  });
});
