import { strict as assert } from "node:assert";
import { readFile, rm } from "node:fs/promises";
import { join } from "node:path";
import { nextCommsMessage } from "../support/comms";
import { NodeRedProcess } from "../support/node-red-process";
import { installPackedPackage } from "../support/packed-install";

const TOKEN = "listener-token-4f9a";

/**
 * A listener that asks for a token, and a client of it that sends the token
 * in an Authorization header whose value is a credential: the client's in
 * node shows "connected" only if both secrets reached the runtime.
 */
function flows(port: number): Record<string, unknown>[] {
  return [
    { id: "tab", type: "tab", label: "secrets" },
    { id: "listener", type: "flowsocket-listener", path: "/ws/secret", wholemsg: "false", credentials: { token: TOKEN } },
    {
      id: "client",
      type: "flowsocket-client",
      path: `ws://127.0.0.1:${port}/ws/secret`,
      wholemsg: "false",
      hb: "0",
      headers: [{ keyType: "other", keyValue: "Authorization", valueType: "cred", valueValue: "" }],
      credentials: { headerSecrets: JSON.stringify({ Authorization: `Bearer ${TOKEN}` }) },
    },
    { id: "listener-in", type: "flowsocket-in", z: "tab", x: 100, y: 40, server: "listener", wires: [[]] },
    { id: "client-in", type: "flowsocket-in", z: "tab", x: 100, y: 100, client: "client", wires: [[]] },
  ];
}

/** Resolves once the client's in node shows "connected" (a node's status is retained on comms, so no race). */
function connectedClient(port: number): Promise<unknown> {
  return nextCommsMessage(port, "status/client-in", (data) => data.text === "connected", 20000);
}

describe("e2e: secrets in credentials", function () {
  this.timeout(180000);
  let tmp: string | undefined;
  let userDir: string;
  let red: NodeRedProcess | undefined;

  before(async () => {
    ({ tmp, userDir } = await installPackedPackage());
  });

  afterEach(function () {
    if (this.currentTest?.state === "failed" && red) {
      console.log(`--- Node-RED output ---\n${red.output()}`);
    }
  });

  after(async () => {
    await red?.stop();
    if (tmp) {
      await rm(tmp, { recursive: true, force: true });
    }
  });

  it("keeps the token and secret headers out of the flow, and they survive a restart", async () => {
    red = await NodeRedProcess.start({ userDir });
    await red.deploy(flows(red.port));
    await connectedClient(red.port);

    const served = await red.get("/flows");
    assert.equal(JSON.stringify(served.body).includes(TOKEN), false, "GET /flows has no secret");
    assert.equal((await readFile(join(userDir, "flows.json"), "utf8")).includes(TOKEN), false, "flows.json has no secret");
    assert.ok((await readFile(join(userDir, "flows_cred.json"), "utf8")).includes(TOKEN), "flows_cred.json has them");

    // The same user directory, a new process: the secrets come back from flows_cred.json.
    await red.stop();
    red = await NodeRedProcess.start({ userDir, port: red.port });
    await connectedClient(red.port);
  });
});
