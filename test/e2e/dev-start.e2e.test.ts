import { strict as assert } from "node:assert";
import { mkdtemp, readFile, realpath, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { nextDebugMessage } from "../support/comms";
import { freePort, NodeRedProcess, type ProcessExit } from "../support/node-red-process";

const ROOT = resolve(__dirname, "..", "..", "..");

type FlowNode = Record<string, unknown> & { id: string; type: string };

/**
 * The Node-RED that `npm start` runs: scripts/dev.mjs, on a free PORT, with
 * its user directory in a temporary folder (FLOWSOCKET_DEV_DIR) so the
 * developer's .node-red-dev/ is left alone. It always runs the Node-RED 4
 * of devDependencies, whichever Node-RED the other tests use.
 */
describe("e2e: the dev Node-RED that npm start runs", function () {
  this.timeout(60000);

  let tmp: string | undefined;
  let userDir: string;
  let red: NodeRedProcess | undefined;

  before(async function () {
    tmp = await realpath(await mkdtemp(join(tmpdir(), "flowsocket-dev-")));
    userDir = join(tmp, "user");
    const port = await freePort();
    const packageJson = require.resolve("node-red/package.json", { paths: [ROOT] });
    red = await NodeRedProcess.spawn({
      args: [join(ROOT, "scripts", "dev.mjs")],
      cwd: ROOT,
      env: { FLOWSOCKET_DEV_DIR: userDir, PORT: String(port) },
      port,
      version: (require(packageJson) as { version: string }).version,
    });
  });

  afterEach(function () {
    if (this.currentTest?.state === "failed" && red) {
      console.log(`--- dev.mjs output ---\n${red.output()}`);
    }
  });

  after(async function () {
    await red?.stop();
    if (tmp) {
      await rm(tmp, { recursive: true, force: true });
    }
  });

  it("runs in the user directory FLOWSOCKET_DEV_DIR names", async function () {
    const [, dir] = await red!.waitForOutput(/User directory\s*: (.+)/);
    assert.equal(dir?.trim(), userDir);
  });

  it("prints the version of its Node-RED package, with no -git", async function () {
    const [, version] = await red!.waitForOutput(/Node-RED version: v(\S+)/);
    assert.equal(version, red!.version);
    const settings = (await red!.get("/settings")).body as { version: string };
    assert.equal(settings.version, red!.version);
  });

  it("opens the editor with no telemetry prompt, update notice or welcome tour", async function () {
    const settings = (await red!.get("/settings")).body as { telemetryEnabled?: boolean; editorTheme?: { tours?: boolean } };
    // The editor asks for consent while telemetryEnabled is undefined, and runs the tour unless tours is false.
    assert.equal(settings.telemetryEnabled, false);
    assert.equal(settings.editorTheme?.tours, false);
    // Not in /settings: the runtime reads it from settings.js before it shows an update notice.
    const written = require(join(userDir, "settings.js")) as { telemetry?: { updateNotification?: boolean } };
    assert.equal(written.telemetry?.updateNotification, false);
  });

  it("deploys the echo example, its client on the chosen port, with no other port in its texts", async function () {
    const example = JSON.parse(await readFile(join(ROOT, "examples", "echo.json"), "utf8")) as FlowNode[];
    const running = (await red!.get("/flows")).body as FlowNode[];
    assert.deepEqual(running.map((node) => node.id).sort(), example.map((node) => node.id).sort());
    const client = running.find((node) => node.type === "flowsocket-client");
    assert.equal(client?.path, `ws://localhost:${red!.port}/ws/echo`);
    const texts = running.flatMap((node) => [node.name, node.info, node.label].filter((text): text is string => typeof text === "string"));
    for (const text of texts) {
      assert.doesNotMatch(text, /:\d+\b|\b1880\b/);
    }
  });

  it("loads core's nodes and this package's, and offers the example", async function () {
    // dev.mjs starts Node-RED through a link: every module must still be found.
    const sets = (await red!.get("/nodes")).body as { id: string; enabled: boolean; err?: string }[];
    assert.deepEqual(sets.filter((set) => set.err !== undefined).map((set) => `${set.id}: ${set.err}`), []);
    const enabled = sets.filter((set) => set.enabled).map((set) => set.id);
    assert.ok(enabled.includes("node-red/inject") && enabled.includes("node-red/websocket"), enabled.join(", "));
    assert.ok(enabled.includes("@flowsocket/node-red/flowsocket"), enabled.join(", "));
    const modules = await red!.get("/library/examples/flows/");
    assert.ok((modules.body as string[]).includes("@flowsocket/node-red"), JSON.stringify(modules.body));
  });

  it("runs the example: the client's hello comes back to the debug node", async function () {
    const running = (await red!.get("/flows")).body as FlowNode[];
    const debugNode = running.find((node) => node.type === "debug");
    const message = await nextDebugMessage(red!.port, (data) => data.id === debugNode?.id, 15000);
    assert.equal(message.msg, "hello");
  });

  it("stops on SIGINT, and its Node-RED with it", async function () {
    // Only dev.mjs gets the signal, as with `kill -INT`: it passes it on to Node-RED and exits as Node-RED does.
    const exit: ProcessExit = await red!.stop("SIGINT");
    assert.deepEqual(exit, { code: 0, signal: null });
    await assert.rejects(
      fetch(`${red!.url}/settings`, { signal: AbortSignal.timeout(2000) }),
      (error: Error & { cause?: { code?: string } }) => error.cause?.code === "ECONNREFUSED",
      "nothing listens on the port any more",
    );
  });
});
