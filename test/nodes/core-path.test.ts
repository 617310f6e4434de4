import assert from "node:assert/strict";
import { flowsocketNodes, freshCoreNode, helper, onTab, type FlowNode } from "../support/red";
import { TestClient } from "../support/peers";
import { countUpgradeAnswers } from "../support/raw-upgrade";
import { callsOf, errorsOf, nextError, statusMatching } from "../support/spies";

const PATH = "/ws/shared";

/** Our echo: a listener whose in node is wired to its out node. */
const OURS: FlowNode[] = [
  { id: "listener", type: "flowsocket-listener", path: PATH, wholemsg: "false" },
  { id: "in", type: "flowsocket-in", server: "listener", wires: [["out"]] },
  { id: "out", type: "flowsocket-out", server: "listener" },
];

/**
 * Core's echo on the same path, in entire-message mode, so its answer to a
 * text frame is a JSON message and tells which listener answered.
 */
const CORE: FlowNode[] = [
  { id: "core", type: "websocket-listener", path: PATH, wholemsg: "true" },
  { id: "core-in", type: "websocket in", server: "core", client: "", wires: [["core-out"]] },
  { id: "core-out", type: "websocket out", server: "core", client: "" },
];

/** Who answers one upgrade request, and how many times it is answered. */
async function probe(): Promise<{ answers: number; echo: string }> {
  const url = `${helper.url().replace("http", "ws")}${PATH}`;
  const { answers } = await countUpgradeAnswers(url);
  const client = await TestClient.open(url);
  try {
    client.send("hello");
    const echo = (await client.frame(1)).data as string;
    return { answers, echo };
  } finally {
    await client.close();
  }
}

/** Asserts that core's listener serves the path and ours says it stepped aside, on itself and its nodes. */
async function assertCoreServes(): Promise<void> {
  const { answers, echo } = await probe();
  assert.equal(answers, 1, "one answer to one upgrade request");
  assert.equal((JSON.parse(echo) as { payload: string }).payload, "hello", "core's listener answered");
  assert.ok(errorsOf(helper.getNode("listener")).includes("flowsocket.errors.core-path"));
  for (const id of ["in", "out"]) {
    await statusMatching(helper.getNode(id), (status) => status.text === "flowsocket.status.core-path");
  }
}

describe("a core websocket-listener and a flowsocket-listener on one path", () => {
  // Core's nodes keep their upgrade listener on the first server they see.
  const coreWebSocketNodes = freshCoreNode("core/network/22-websocket.js");

  async function load(flow: FlowNode[]): Promise<void> {
    await helper.load([flowsocketNodes, coreWebSocketNodes], onTab(flow));
  }

  before(() => helper.startServer());
  after(() => helper.stopServer());
  afterEach(() => helper.unload());

  for (const type of ["full", "nodes"] as const) {
    it(`lets core serve when core's listener is added by a ${type} deploy`, async () => {
      await load(OURS);
      assert.deepEqual(await probe(), { answers: 1, echo: "hello" }, "ours serves alone");
      await helper.setFlows(onTab([...OURS, ...CORE]), type);
      await assertCoreServes();
    });

    it(`steps aside when ours is added to core's path by a ${type} deploy`, async () => {
      await load(CORE);
      await helper.setFlows(onTab([...CORE, ...OURS]), type);
      await assertCoreServes();
    });
  }

  it("takes the path back when core's listener is removed by a modified-nodes deploy", async () => {
    await load([...OURS, ...CORE]);
    await assertCoreServes();
    await helper.setFlows(onTab(OURS), "nodes");
    assert.deepEqual(await probe(), { answers: 1, echo: "hello" }, "ours serves again");
    assert.ok(callsOf(helper.getNode("listener"), "log").includes("flowsocket.errors.path-free"));
    await statusMatching(helper.getNode("in"), (status) => status.text === "flowsocket.status.connected" && !status.event);
  });

  it("answers an out node's send with the reason while core has the path", async () => {
    await load([...CORE, ...OURS]);
    await assertCoreServes();
    const failed = nextError(helper.getNode("out"));
    helper.getNode("out").receive({ payload: "to nobody" });
    assert.equal(((await failed).error as Error).message, "flowsocket.errors.core-path");
  });
});
