import { strict as assert } from "node:assert";
import { rm } from "node:fs/promises";
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import type { Browser, Page } from "playwright-core";
import { launchBrowser } from "../support/browser";
import { NodeRedProcess } from "../support/node-red-process";
import { installPackedPackage, withClientPort } from "../support/packed-install";
import { TestClient } from "../support/peers";

const ROOT = resolve(__dirname, "..", "..", "..");
const SECRET = "Bearer editor-secret-7c1d";
const LISTENER_TOKEN = "listener-token-e2e-93b0";
/** The issue 9 and 10 options, which a flow from core has none of. */
const LISTENER_OPTIONS = [
  "maxPayload", "maxFragments", "maxSessions", "rateLimit", "rateBurst", "highWaterMark", "backpressure", "compression", "compressionThreshold",
  "tokenName", "tokenHeader", "tokenQuery", "tokenSubprotocol", "origins", "httpNodeAuth", "port", "host", "tls", "clientCert",
];
const CLIENT_OPTIONS = [
  "autoConnect", "connectTimeout", "reconnectDelay", "reconnectMax", "reconnectFactor", "reconnectJitter", "reconnectAttempts", "firstMessage",
  "firstMessageType", "origin", "queue", "queueSize", "queueBytes", "queueAge", "maxPayload", "highWaterMark", "backpressure", "compression",
  "compressionThreshold",
];
const SHOTS = join(ROOT, ".build", "screenshots");
const HEADERS = [
  { keyType: "other", keyValue: "X-Api-Key", valueType: "env", valueValue: "API_KEY" },
  { keyType: "User-Agent", keyValue: "", valueType: "Mozilla/5.0", valueValue: "" },
  { keyType: "other", keyValue: "X-Plain", valueType: "other", valueValue: "plain value" },
];

/** The editor, in a real browser, with the packed package installed and the echo example deployed. */
describe("e2e: the editor in a browser", function () {
  this.timeout(180000);

  let tmp: string | undefined;
  let red: NodeRedProcess | undefined;
  let browser: Browser | undefined;
  let page: Page;
  const pageErrors: string[] = [];

  before(async function () {
    let userDir: string;
    ({ tmp, userDir } = await installPackedPackage());
    // No welcome tour over the canvas.
    red = await NodeRedProcess.start({ userDir, settings: { editorTheme: { tours: false } } });
    const flows = withClientPort(JSON.parse(readFileSync(join(ROOT, "examples", "echo.json"), "utf8")), red.port);
    // Handshake headers in core's format, to check the editor keeps them.
    await red.deploy(flows.map((node) => (node.type === "flowsocket-client" ? { ...node, headers: HEADERS } : node)));
    browser = await launchBrowser();
    page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    page.on("pageerror", (error) => pageErrors.push(error.message));
    await page.goto(red.url);
    await page.waitForSelector('.red-ui-palette-node[data-palette-type="flowsocket-in"]', { timeout: 60000 });
  });

  afterEach(async function () {
    if (this.currentTest?.state === "failed") {
      await page?.screenshot({ path: join(SHOTS, `${this.currentTest.title.replace(/\W+/g, "-")}.png`) }).catch(() => undefined);
    }
  });

  after(async function () {
    await browser?.close();
    await red?.stop();
    if (tmp) {
      await rm(tmp, { recursive: true, force: true });
    }
  });

  it("finds our nodes and core's when the palette filter says websocket, and tells them apart", async function () {
    const visible = await filterPalette(page, "websocket");
    const ours = visible.filter((node) => node.type?.startsWith("flowsocket-"));
    const core = visible.filter((node) => node.type?.startsWith("websocket "));
    assert.deepEqual(ours.map((node) => node.type).sort(), ["flowsocket-in", "flowsocket-out"]);
    assert.deepEqual(core.map((node) => node.label).sort(), ["websocket in", "websocket out"]);
    for (const node of ours) {
      assert.match(node.label, /^websocket\+ (in|out)$/);
      assert.ok(node.lines <= 2, `${node.label} takes ${node.lines} lines`);
      assert.equal(node.category, "red-ui-palette-container-network");
      assert.notEqual(node.colour, core[0]!.colour);
    }
    await page.screenshot({ path: join(SHOTS, "palette-filter.png") });
    await page.locator("#red-ui-palette-search input").fill("");
    await page.locator("#red-ui-palette-search input").press("Backspace");
    // Cleared: nothing is filtered out (categories may stay folded).
    await page.waitForSelector('.red-ui-palette-node[data-palette-type="inject"]:not([data-filter="true"])', { state: "attached" });
    await page.waitForSelector(".red-ui-flow-node-status-label >> text=1 connected");
    await page.screenshot({ path: join(SHOTS, "echo-flow.png") });
  });

  it("keeps the in and out labels on two lines in a font as wide as DejaVu Sans", async function () {
    // Where Arial is missing (many Linux desktops) the palette falls back to
    // DejaVu Sans: core's "websocket in" wraps there, and a label with more
    // than "websocket+" before its first break takes three lines.
    const wide = await browser!.newPage({ viewport: { width: 1400, height: 900 } });
    try {
      await wide.addInitScript(() => {
        document.addEventListener("DOMContentLoaded", () => {
          const style = document.createElement("style");
          style.textContent = '.red-ui-palette-label { font-family: "DejaVu Sans" !important; }';
          document.head.appendChild(style);
        });
      });
      await wide.goto(red!.url);
      await wide.waitForSelector('.red-ui-palette-node[data-palette-type="flowsocket-in"]', { timeout: 60000 });
      const visible = await filterPalette(wide, "websocket");
      const lines = Object.fromEntries(visible.map((node) => [node.type, node.lines]));
      assert.equal(lines["websocket in"], 2, "the font is wide enough to wrap core's label");
      assert.deepEqual([lines["flowsocket-in"], lines["flowsocket-out"]], [2, 2]);
      await wide.locator("#red-ui-palette").screenshot({ path: join(SHOTS, "palette-dejavu.png") });
    } finally {
      await wide.close();
    }
  });

  it("switches an in node between listen and connect mode", async function () {
    const inNode = await openEditor("flowsocket-in", (node) => Boolean(node.server));
    assert.equal(await page.inputValue("#node-input-mode"), "server");
    assert.equal(await page.isVisible("#node-input-server"), true);
    assert.equal(await page.isVisible("#node-input-client"), false);
    await page.selectOption("#node-input-mode", "client");
    assert.equal(await page.isVisible("#node-input-client"), true);
    assert.equal(await page.isVisible("#node-input-server"), false);
    await page.screenshot({ path: join(SHOTS, "in-node-editor.png") });
    await cancelEditor();
    assert.ok(inNode);
  });

  it("saves the connect-mode choice and clears the listener", async function () {
    const id = await openEditor("flowsocket-in", (node) => Boolean(node.server));
    await page.selectOption("#node-input-mode", "client");
    const clientId = await page.$eval("#node-input-client option[value]:not([value='_ADD_'])", (option) => (option as HTMLOptionElement).value);
    await page.selectOption("#node-input-client", clientId);
    await page.click("#node-dialog-ok");
    await page.waitForFunction(() => document.querySelectorAll(".red-ui-tray").length === 0);
    const saved = await page.evaluate((nodeId) => {
      const node = (window as unknown as { RED: { nodes: { node(id: string): Record<string, unknown> } } }).RED.nodes.node(nodeId);
      return { server: node.server, client: node.client };
    }, id);
    assert.deepEqual(saved, { server: "", client: clientId });
  });

  it("keeps handshake headers in core's format through an edit", async function () {
    const id = await openEditor("flowsocket-client");
    await page.click("#node-config-dialog-ok");
    await page.waitForFunction(() => document.querySelectorAll(".red-ui-tray").length === 0);
    const headers = await page.evaluate((nodeId) => {
      return (window as unknown as { RED: { nodes: { node(id: string): Record<string, unknown> } } }).RED.nodes.node(nodeId).headers;
    }, id);
    assert.deepEqual(headers, HEADERS);
  });

  it("validates the listener path and shows where it is served", async function () {
    await openEditor("flowsocket-listener");
    const row = await page.textContent("#dialog-form, .red-ui-tray-body");
    assert.match(row ?? "", /\/ws\/echo/);
    await page.fill("#node-config-input-path", "/has space");
    await page.locator("#node-config-input-path").blur();
    assert.equal(await hasErrorMark("#node-config-input-path"), true);
    for (const [path, bad] of [["/comms", true], ["/ws/comms-feed", false], ["/ws/fine", false]] as const) {
      await page.fill("#node-config-input-path", path);
      await page.locator("#node-config-input-path").blur();
      assert.equal(await hasErrorMark("#node-config-input-path"), bad, path);
    }
    await page.screenshot({ path: join(SHOTS, "listener-editor.png") });
    await cancelEditor();
  });

  it("validates the client URL and shows TLS only for wss://", async function () {
    await openEditor("flowsocket-client");
    await page.fill("#node-config-input-path", "http://not-websocket");
    await page.locator("#node-config-input-path").blur();
    assert.equal(await hasErrorMark("#node-config-input-path"), true);
    assert.equal(await page.isVisible("#node-config-input-tls"), false);
    await page.fill("#node-config-input-path", "${WS_URL}");
    await page.locator("#node-config-input-path").blur();
    assert.equal(await hasErrorMark("#node-config-input-path"), false, "an environment variable is accepted");
    await page.fill("#node-config-input-path", "wss://example.org/socket");
    await page.locator("#node-config-input-path").dispatchEvent("change");
    await page.locator("#node-config-input-path").blur();
    assert.equal(await hasErrorMark("#node-config-input-path"), false);
    await page.waitForSelector("#node-config-input-tls", { state: "visible" });
    await page.screenshot({ path: join(SHOTS, "client-editor.png") });
    await cancelEditor();
  });

  it("marks a listener whose path another running listener uses, before deploy", async function () {
    const flow = [
      { id: "dup00000000000a1", type: "flowsocket-listener", path: "/ws/twin", wholemsg: "false", subprotocol: "" },
      // The runtime adds the leading slash, so these two share a path.
      { id: "dup00000000000a2", type: "flowsocket-listener", path: "ws/twin", wholemsg: "false", subprotocol: "" },
      { id: "dup00000000000b1", type: "websocket-listener", path: "/ws/core", wholemsg: "false" },
      { id: "dup00000000000b2", type: "flowsocket-listener", path: "/ws/core", wholemsg: "false", subprotocol: "" },
      // Core's websocket-listener with a URL is a client: no rival.
      { id: "dup00000000000c1", type: "websocket-listener", path: "ws://example.org/feed", wholemsg: "false" },
      { id: "dup00000000000c2", type: "flowsocket-listener", path: "/ws://example.org/feed", wholemsg: "false", subprotocol: "" },
      // The runtime starts neither a disabled config node nor a node on a disabled flow.
      { id: "dup00000000000d1", type: "flowsocket-listener", path: "/ws/quiet", wholemsg: "false", subprotocol: "" },
      { id: "dup00000000000d2", type: "flowsocket-listener", path: "/ws/quiet", wholemsg: "false", subprotocol: "", d: true },
      { id: "dup00000000000e0", type: "tab", label: "switched off", disabled: true, info: "" },
      { id: "dup00000000000e1", type: "flowsocket-listener", path: "/ws/off", wholemsg: "false", subprotocol: "" },
      { id: "dup00000000000e2", type: "flowsocket-listener", path: "/ws/off", wholemsg: "false", subprotocol: "", z: "dup00000000000e0" },
      { id: "dup00000000000f1", type: "flowsocket-listener", path: "/ws/alone", wholemsg: "false", subprotocol: "" },
    ];
    const ids = flow.map((node) => node.id);
    try {
      await page.evaluate((nodes) => (window as unknown as { RED: EditorApi }).RED.nodes.import(nodes), flow);
      const ours = (await validity(ids)).filter((node) => node.type === "flowsocket-listener");
      assert.deepEqual(
        Object.fromEntries(ours.map((node) => [node.id, node.errors])),
        {
          dup00000000000a1: ["Another websocket+ listener already uses the path /ws/twin"],
          dup00000000000a2: ["Another websocket+ listener already uses the path /ws/twin"],
          dup00000000000b2: ["Node-RED's own websocket-listener already uses the path /ws/core"],
          dup00000000000c2: [],
          dup00000000000d1: [],
          dup00000000000d2: [],
          dup00000000000e1: [],
          dup00000000000e2: [],
          dup00000000000f1: [],
        },
      );
      assert.deepEqual(
        ours.filter((node) => !node.valid).map((node) => node.id),
        ["dup00000000000a1", "dup00000000000a2", "dup00000000000b2"],
      );

      // The red triangle in the configuration nodes sidebar.
      await page.evaluate(() => (window as unknown as { RED: EditorApi }).RED.sidebar.show("config"));
      const marked = await page.$$eval(".red-ui-palette-node-config-invalid .red-ui-palette-label", (labels) =>
        labels.map((label) => label.textContent ?? "").sort(),
      );
      assert.deepEqual(marked, ["/ws/core", "/ws/twin", "/ws/twin"]);
      await page.screenshot({ path: join(SHOTS, "listener-path-taken.png") });

      // A change to one listener or to a flow is seen by the others.
      await page.evaluate(() => {
        const editor = (window as unknown as { RED: EditorApi }).RED;
        editor.workspaces.enable("dup00000000000e0");
        editor.nodes.remove("dup00000000000a2");
      });
      const after = Object.fromEntries((await validity(ids)).map((node) => [node.id, node.valid]));
      assert.deepEqual(
        [after.dup00000000000a1, after.dup00000000000e1, after.dup00000000000e2],
        [true, false, false],
        "the twin is gone and the flow is enabled",
      );

      // And while a path is typed in the edit dialog.
      await openEditor("flowsocket-listener", (node) => node.id === "dup00000000000f1");
      await page.fill("#node-config-input-path", "ws/core");
      await page.locator("#node-config-input-path").blur();
      assert.equal(await hasErrorMark("#node-config-input-path"), true);
      await page.fill("#node-config-input-path", "/ws/still-alone");
      await page.locator("#node-config-input-path").blur();
      assert.equal(await hasErrorMark("#node-config-input-path"), false);
      await cancelEditor();
    } finally {
      await page.evaluate((remove) => {
        const editor = (window as unknown as { RED: EditorApi }).RED;
        for (const id of remove) {
          if (editor.nodes.node(id)) {
            editor.nodes.remove(id);
          }
        }
        editor.nodes.removeWorkspace("dup00000000000e0");
        editor.workspaces.refresh();
      }, ids);
    }
  });

  it("shows our help text for each node", async function () {
    for (const type of ["flowsocket-in", "flowsocket-out", "flowsocket-listener", "flowsocket-client"]) {
      const help = await page.evaluate((nodeType) => {
        const editor = (window as unknown as { RED: { nodes: { getNodeHelp(type: string): string } } }).RED;
        return editor.nodes.getNodeHelp(nodeType);
      }, type);
      assert.ok(help && help.length > 200, `help for ${type}`);
    }
  });

  it("names our four types apart from core's in the help tree and unnamed nodes after what they use", async function () {
    await page.evaluate(() => (window as unknown as { RED: EditorApi }).RED.sidebar.show("help"));
    await page.waitForSelector(".red-ui-sidebar-help-toc .red-ui-node-list-item", { state: "attached" });
    const helpTree = await page.$$eval(".red-ui-sidebar-help-toc .red-ui-node-list-item .red-ui-node-label", (labels) =>
      labels.map((label) => label.textContent ?? "").filter((text) => text.includes("websocket")),
    );
    assert.deepEqual(helpTree.sort(), [
      "websocket in",
      "websocket out",
      "websocket+ client",
      "websocket+ in",
      "websocket+ listener",
      "websocket+ out",
      "websocket-client",
      "websocket-listener",
    ]);
    const labels = await page.evaluate(() => {
      const editor = (window as unknown as { RED: EditorApi }).RED;
      let listener = "";
      editor.nodes.eachConfig((node) => void (node.type === "flowsocket-listener" && (listener = node.id as string)));
      return {
        canvas: editor.nodes.getType("flowsocket-in").label!.call({ name: "", server: listener, client: "" }),
        noConfig: editor.nodes.getType("flowsocket-out").label!.call({ name: "", server: "", client: "" }),
        noPath: editor.nodes.getType("flowsocket-listener").label!.call({ path: "" }),
      };
    });
    assert.deepEqual(labels, { canvas: "ws+ in /ws/echo", noConfig: "websocket+ out", noPath: "websocket+ listener" });
  });

  it("shows Events and Session details on an in node, unticked when its flow has neither, and saves them", async function () {
    const id = await openEditor("flowsocket-in", (node) => node.name === "frames from clients");
    assert.deepEqual(await isChecked(["#node-input-events", "#node-input-metadata"]), [false, false]);
    await page.check("#node-input-events");
    await page.locator(".red-ui-tray").screenshot({ path: join(SHOTS, "in-node-options.png") });
    await saveEditor();
    assert.deepEqual(await propertiesOf(id, ["events", "metadata"]), { events: true, metadata: false });
    await openNode(id);
    assert.deepEqual(await isChecked(["#node-input-events", "#node-input-metadata"]), [true, false]);
    await page.uncheck("#node-input-events");
    await page.check("#node-input-metadata");
    await saveEditor();
    assert.deepEqual(await propertiesOf(id, ["events", "metadata"]), { events: false, metadata: true });
  });

  it("gives an out node an output while Results output is ticked, wires included, and deploys it", async function () {
    const id = await openEditor("flowsocket-out", (node) => node.name === "reply to sender");
    assert.deepEqual(await isChecked(["#node-input-control", "#node-input-results"]), [false, false]);
    assert.equal(await outputPorts(id), 0);
    await page.check("#node-input-control");
    await page.check("#node-input-results");
    await page.locator(".red-ui-tray").screenshot({ path: join(SHOTS, "out-node-options.png") });
    await saveEditor();
    assert.deepEqual(await propertiesOf(id, ["control", "results", "outputs"]), { control: true, results: true, outputs: 1 });
    assert.equal(await outputPorts(id), 1);

    // Wired to the example's debug node, and deployed so.
    const debugId = "f5ec40000000000b";
    await page.evaluate(
      ({ source, target }) => {
        const editor = (window as unknown as { RED: EditorApi }).RED;
        editor.nodes.addLink({ source: editor.nodes.node(source), sourcePort: 0, target: editor.nodes.node(target) });
        editor.nodes.dirty(true);
        editor.view.redraw(true);
      },
      { source: id, target: debugId },
    );
    await deployFromEditor();
    const deployed = ((await red!.get("/flows")).body as Record<string, unknown>[]).find((node) => node.id === id);
    assert.deepEqual(
      { control: deployed?.control, results: deployed?.results, outputs: deployed?.outputs, wires: deployed?.wires },
      { control: true, results: true, outputs: 1, wires: [[debugId]] },
    );

    // Unticked, the output goes, and its wire with it; undo brings both back.
    await openNode(id);
    await page.uncheck("#node-input-results");
    await saveEditor();
    assert.deepEqual(await propertiesOf(id, ["results", "outputs"]), { results: false, outputs: 0 });
    assert.equal(await outputPorts(id), 0);
    assert.equal(await linksFrom(id), 0);
    await page.evaluate(() => (window as unknown as { RED: EditorApi }).RED.history.pop());
    assert.deepEqual(await propertiesOf(id, ["results", "outputs"]), { results: true, outputs: 1 });
    assert.equal(await linksFrom(id), 1);
  });

  it("validates the listener's heartbeat and session headers, the heartbeat as the client's, and saves the listener's options", async function () {
    const id = await openEditor("flowsocket-listener", (node) => node.path === "/ws/echo");
    const boxes = ["#flowsocket-hb-on", "#node-config-input-trustProxy", "#node-config-input-clientRooms"];
    assert.deepEqual(await isChecked(boxes), [false, false, false]);
    assert.equal(await page.isVisible("#node-config-input-hb"), false);
    await page.check("#flowsocket-hb-on");
    await expectMarks("#node-config-input-hb", [["abc", true], ["-1", true], ["2147484", true], ["2147483", false], ["30", false]]);
    await expectMarks("#node-config-input-sessionHeaders", [
      ["x-a, bad header", true],
      ["x-a,", true],
      ["", false],
      ["user-agent, x-request-id", false],
    ]);
    await page.check("#node-config-input-trustProxy");
    await page.check("#node-config-input-clientRooms");
    await page.locator(".red-ui-tray").screenshot({ path: join(SHOTS, "listener-options.png") });
    await saveEditor();
    assert.deepEqual(await propertiesOf(id, ["hb", "sessionHeaders", "trustProxy", "clientRooms"]), {
      hb: "30",
      sessionHeaders: "user-agent, x-request-id",
      trustProxy: true,
      clientRooms: true,
    });
    await openNode(id);
    assert.deepEqual(await isChecked(boxes), [true, true, true]);
    assert.equal(await page.inputValue("#node-config-input-hb"), "30");
    // Unticked, the heartbeat is saved as 0, as the client's is.
    await page.uncheck("#flowsocket-hb-on");
    await saveEditor();
    assert.equal((await propertiesOf(id, ["hb"])).hb, "0");

    // The client's heartbeat row is the same one, with the same limit.
    await openEditor("flowsocket-client");
    assert.equal(await page.isChecked("#flowsocket-hb-on"), false);
    await page.check("#flowsocket-hb-on");
    await expectMarks("#node-config-input-hb", [["2147484", true], ["15", false]]);
    await page.locator(".red-ui-tray").screenshot({ path: join(SHOTS, "client-heartbeat.png") });
    await cancelEditor();
  });

  it("keeps the new options off in a flow from core imported in the editor, and on in nodes from the palette", async function () {
    // A flow exported from core's websocket nodes, with the types renamed:
    // none of the new properties, and no outputs on the out node.
    const core = [
      { id: "c0e0000000000001", type: "flowsocket-listener", path: "/ws/core-compat", wholemsg: "true" },
      { id: "c0e0000000000002", type: "flowsocket-in", name: "core in", server: "c0e0000000000001", client: "", x: 160, y: 80, wires: [["c0e0000000000003"]] },
      { id: "c0e0000000000003", type: "flowsocket-out", name: "core out", server: "c0e0000000000001", client: "", x: 380, y: 80, wires: [] },
      // Unused, so it never connects: only what the editor deploys of it counts.
      { id: "c0e0000000000004", type: "flowsocket-client", path: "ws://127.0.0.1:9/unused", wholemsg: "false" },
    ];
    const home = await page.evaluate(() => (window as unknown as { RED: EditorApi }).RED.workspaces.active());
    // Through the Import dialog, into a new flow, as a user pastes a flow.
    await page.evaluate(() => (window as unknown as { RED: EditorApi }).RED.actions.invoke("core:show-import-dialog"));
    await page.fill("#red-ui-clipboard-dialog-import-text", JSON.stringify(core));
    // The dialog checks the text on keyup before it enables Import.
    await page.locator("#red-ui-clipboard-dialog-import-text").press("End");
    await page.click("#red-ui-clipboard-dialog-import-opt-new");
    await page.click("#red-ui-clipboard-dialog-ok");
    // The imported nodes follow the mouse until a click puts them down.
    const chart = (await page.locator("#red-ui-workspace-chart").boundingBox())!;
    await page.mouse.move(chart.x + 200, chart.y + 120);
    await page.mouse.click(chart.x + 200, chart.y + 120);
    const tab = await page.evaluate(() => (window as unknown as { RED: EditorApi }).RED.workspaces.active());
    assert.deepEqual(await propertiesOf("c0e0000000000002", ["z"]), { z: tab });

    // Two new nodes, dragged from the palette onto that flow.
    await filterPalette(page, "websocket");
    const added: Record<string, string> = {};
    for (const [type, y] of [["flowsocket-in", 260], ["flowsocket-out", 340]] as const) {
      const before = await nodesOn(tab, type);
      // Hovered first: that waits until the filtered palette has stopped moving.
      await page.locator(`.red-ui-palette-node[data-palette-type="${type}"]`).hover();
      await page.mouse.down();
      await page.mouse.move(chart.x + 240, chart.y + y, { steps: 12 });
      await page.waitForSelector(".red-ui-palette-node.ui-draggable-dragging");
      await page.mouse.up();
      const fresh = (await nodesOn(tab, type)).filter((nodeId) => !before.includes(nodeId));
      assert.equal(fresh.length, 1, `one ${type} dropped`);
      added[type] = fresh[0]!;
    }
    await page.locator("#red-ui-palette-search input").fill("");
    await page.locator("#red-ui-palette-search input").press("Backspace");

    // A new node has its options on (Results output off); it gets the imported listener.
    await openNode(added["flowsocket-in"]!);
    assert.deepEqual(await isChecked(["#node-input-events", "#node-input-metadata"]), [true, true]);
    await page.selectOption("#node-input-server", "c0e0000000000001");
    await saveEditor();
    await openNode(added["flowsocket-out"]!);
    assert.deepEqual(await isChecked(["#node-input-control", "#node-input-results"]), [true, false]);
    await page.selectOption("#node-input-server", "c0e0000000000001");
    await saveEditor();
    assert.equal(await outputPorts(added["flowsocket-out"]!), 0);
    await page.screenshot({ path: join(SHOTS, "core-flow-imported.png") });

    await deployFromEditor();
    const flows = (await red!.get("/flows")).body as Record<string, unknown>[];
    const deployed = (nodeId: string, names: string[]): Record<string, unknown> => {
      const node = flows.find((candidate) => candidate.id === nodeId) ?? {};
      return Object.fromEntries(names.map((name) => [name, node[name]]));
    };
    // The imported nodes were never opened: the editor gave them no defaults.
    const absent = (names: string[]): Record<string, undefined> => Object.fromEntries(names.map((name) => [name, undefined]));
    assert.deepEqual(deployed("c0e0000000000001", ["path", ...LISTENER_OPTIONS]), { path: "/ws/core-compat", ...absent(LISTENER_OPTIONS) });
    assert.deepEqual(deployed("c0e0000000000004", ["path", ...CLIENT_OPTIONS]), { path: "ws://127.0.0.1:9/unused", ...absent(CLIENT_OPTIONS) });
    assert.deepEqual(deployed("c0e0000000000002", ["name", "events", "metadata", "format"]), { name: "core in", events: undefined, metadata: undefined, format: undefined });
    assert.deepEqual(deployed("c0e0000000000003", ["name", "control", "results", "format", "outputs", "wires"]), {
      name: "core out",
      control: undefined,
      results: undefined,
      format: undefined,
      outputs: 0,
      wires: [],
    });
    assert.deepEqual(deployed(added["flowsocket-in"]!, ["events", "metadata", "format"]), { events: true, metadata: true, format: "auto" });
    assert.deepEqual(deployed(added["flowsocket-out"]!, ["control", "results", "format", "outputs"]), { control: true, results: false, format: "auto", outputs: 0 });

    // And the imported flow behaves as core's: no connect event comes before
    // the echo, a peer's "event" stays, and to, room and action are data.
    const peer = await TestClient.open(`ws://127.0.0.1:${red!.port}/ws/core-compat`);
    try {
      const sent = { payload: "p", to: "nobody", room: "r", action: "close", event: "forged" };
      peer.send(JSON.stringify(sent));
      const echoed = JSON.parse(String((await peer.frame(1)).data)) as Record<string, unknown>;
      delete echoed._msgid;
      assert.deepEqual(echoed, sent);
    } finally {
      await peer.close();
      await page.evaluate(
        ({ listener, flow, back }) => {
          const editor = (window as unknown as { RED: EditorApi }).RED;
          editor.nodes.remove(listener);
          editor.nodes.remove("c0e0000000000004");
          // As the flow's tab menu does: the tab and the nodes on it.
          editor.workspaces.delete(editor.nodes.workspace(flow));
          // Back on the example's flow: a config dialog opened with no flow showing fails in Node-RED.
          editor.workspaces.show(back);
        },
        { listener: core[0]!.id, flow: tab, back: home },
      );
    }
  });

  it("shows the new sections in the help panel", async function () {
    const expected: Record<string, RegExp[]> = {
      "flowsocket-in": [/Event messages/, /Session details/, /error\.failure/, /"heartbeat"/, /receivedAt/, /no payload/],
      "flowsocket-out": [/Actions/, /Results output/, /msg\.except/, /getSessions/, /3000/, /123 bytes/, /gone/],
      "flowsocket-listener": [/Room commands/, /\{"type": "join", "room": "news"\}/, /Behind a proxy/, /Session headers/, /Heartbeat/],
    };
    for (const [type, patterns] of Object.entries(expected)) {
      await page.evaluate((nodeType) => (window as unknown as { RED: EditorApi }).RED.sidebar.help.show(nodeType), type);
      const help = page.locator(".red-ui-sidebar-help-stack .red-ui-help").first();
      await help.locator("h1", { hasText: type.replace("flowsocket-", "websocket+ ") }).waitFor();
      const text = (await help.textContent()) ?? "";
      for (const pattern of patterns) {
        assert.match(text, pattern, `${type} help`);
      }
      await help.locator("h4").first().scrollIntoViewIfNeeded();
      await page.screenshot({ path: join(SHOTS, `help-${type}.png`) });
    }
  });

  it("shows the client's options in tabs, refuses values the runtime would refuse, and saves and reloads them", async function () {
    const id = await openEditor("flowsocket-client");
    // The example's client has no autoConnect: shown as the runtime reads it, on.
    assert.equal(await page.isChecked("#node-config-input-autoConnect"), true);
    await expectMarks("#node-config-input-connectTimeout", [["0", true], ["abc", true], ["10", false]]);
    await page.evaluate(() => {
      const input = (window as unknown as { $: JQueryLike }).$("#node-config-input-firstMessage");
      input.typedInput("type", "json");
      input.typedInput("value", '{"hello":1}');
    });
    await page.locator(".red-ui-tray").screenshot({ path: join(SHOTS, "client-tab-connection.png") });

    await openTab("flowsocket-client-tab-reconnect");
    await expectMarks("#node-config-input-reconnectDelay", [["-1", true], ["1", false]]);
    await expectMarks("#node-config-input-reconnectMax", [["2147484", true], ["10", false]]);
    await expectMarks("#node-config-input-reconnectFactor", [["0.5", true], ["101", true], ["1.5", false]]);
    await expectMarks("#node-config-input-reconnectJitter", [["1.5", true], ["0.2", false]]);
    await expectMarks("#node-config-input-reconnectAttempts", [["1.5", true], ["-1", true], ["5", false]]);
    assert.equal(await page.isVisible("#node-config-input-queueSize"), false, "the queue's limits only with the queue");
    await page.check("#node-config-input-queue");
    await expectMarks("#node-config-input-queueSize", [["0", true], ["1000001", true], ["200", false]]);
    await expectMarks("#node-config-input-queueBytes", [["0", true], ["65536", false]]);
    await expectMarks("#node-config-input-queueAge", [["0", true], ["30", false]]);
    await page.locator(".red-ui-tray").screenshot({ path: join(SHOTS, "client-tab-reconnect.png") });

    await openTab("flowsocket-client-tab-limits");
    await expectMarks("#node-config-input-maxPayload", [["0", true], ["2147483648", true], ["1000000", false]]);
    await expectMarks("#node-config-input-highWaterMark", [["1.5", true], ["262144", false]]);
    assert.equal(await page.inputValue("#node-config-input-backpressure"), "drop");
    await page.selectOption("#node-config-input-backpressure", "close");
    await page.check("#node-config-input-compression");
    await expectMarks("#node-config-input-compressionThreshold", [["-1", true], ["0", false], ["512", false]]);
    await page.locator(".red-ui-tray").screenshot({ path: join(SHOTS, "client-tab-limits.png") });

    // An Authorization header typed as plain text, as in a flow converted from core.
    await openTab("flowsocket-client-tab-headers");
    await page.fill("#node-config-input-origin", "https://app.example");
    await page.click("#flowsocket-client-tab-headers .red-ui-editableList-addButton");
    const row = page.locator("#flowsocket-client-headers .flowsocket-header-row").last();
    // A TypedInput shows an input of its own and keeps the value in the hidden original.
    await row.locator("input.red-ui-typedInput-input").nth(0).fill("Authorization");
    await row.locator("input.red-ui-typedInput-input").nth(1).fill(SECRET);
    await row.locator("input.red-ui-typedInput-input").nth(1).dispatchEvent("change");
    await page.locator(".red-ui-tray").screenshot({ path: join(SHOTS, "client-tab-headers.png") });
    await saveEditor();

    assert.deepEqual(await propertiesOf(id, ["autoConnect", "connectTimeout", "firstMessage", "firstMessageType", "origin"]), {
      autoConnect: true,
      connectTimeout: "10",
      firstMessage: '{"hello":1}',
      firstMessageType: "json",
      origin: "https://app.example",
    });
    const saved = {
      reconnectDelay: "1",
      reconnectMax: "10",
      reconnectFactor: "1.5",
      reconnectJitter: "0.2",
      reconnectAttempts: "5",
      queue: true,
      queueSize: "200",
      queueBytes: "65536",
      queueAge: "30",
      maxPayload: "1000000",
      highWaterMark: "262144",
      backpressure: "close",
      compression: true,
      compressionThreshold: "512",
    };
    assert.deepEqual(await propertiesOf(id, Object.keys(saved)), saved);
    const headers = (await propertiesOf(id, ["headers"])).headers as Record<string, string>[];
    assert.deepEqual(headers, [...HEADERS, { keyType: "other", keyValue: "Authorization", valueType: "cred", valueValue: "" }]);

    // Reopened, the rows show what was saved, the secret among them.
    await openNode(id);
    await openTab("flowsocket-client-tab-reconnect");
    assert.equal(await page.inputValue("#node-config-input-reconnectFactor"), "1.5");
    assert.equal(await page.isVisible("#node-config-input-queueSize"), true);
    const secretRow = page.locator("#flowsocket-client-headers .flowsocket-header-row").last();
    assert.equal(await secretRow.locator("input.flowsocket-header-value").inputValue(), SECRET);
    assert.equal(await secretRow.locator("input.red-ui-typedInput-input").nth(1).getAttribute("type"), "password");
    await cancelEditor();

    // Deployed: the flow holds no secret, the editor's credentials endpoint has it.
    await deployFromEditor();
    const flows = (await red!.get("/flows")).body as Record<string, unknown>[];
    assert.equal(JSON.stringify(flows).includes(SECRET), false, "GET /flows has no secret");
    const client = flows.find((node) => node.id === id)!;
    assert.deepEqual((client.headers as unknown[]).at(-1), { keyType: "other", keyValue: "Authorization", valueType: "cred", valueValue: "" });
    assert.equal(client.credentials, undefined);
    const credentials = (await red!.get(`/credentials/flowsocket-client/${id}`)).body as { headerSecrets?: string };
    assert.deepEqual(JSON.parse(credentials.headerSecrets ?? "{}"), { Authorization: SECRET });
  });

  it("shows the listener's limits, security and own port in tabs, keeps the token a password that GET /flows never shows", async function () {
    const listener = { id: "a11ce00000000001", type: "flowsocket-listener", path: "/ws/locked", wholemsg: "false" };
    await page.evaluate((node) => (window as unknown as { RED: EditorApi }).RED.nodes.import([node]), listener);
    await openNode(listener.id);
    try {
      await openTab("flowsocket-listener-tab-limits");
      assert.equal(await page.inputValue("#node-config-input-backpressure"), "drop");
      await expectMarks("#node-config-input-maxPayload", [["0", true], ["65536", false]]);
      await expectMarks("#node-config-input-maxFragments", [["0", true], ["64", false]]);
      await expectMarks("#node-config-input-maxSessions", [["1.5", true], ["100", false]]);
      await expectMarks("#node-config-input-rateLimit", [["abc", true], ["50", false]]);
      await expectMarks("#node-config-input-rateBurst", [["0", true], ["100", false]]);
      await page.selectOption("#node-config-input-backpressure", "close");
      await page.locator(".red-ui-tray").screenshot({ path: join(SHOTS, "listener-tab-limits.png") });

      await openTab("flowsocket-listener-tab-security");
      assert.equal(await page.getAttribute("#node-config-input-token", "type"), "password");
      await page.fill("#node-config-input-token", LISTENER_TOKEN);
      await page.fill("#node-config-input-tokenQuery", "access_token");
      await page.check("#node-config-input-tokenSubprotocol");
      await page.fill("#node-config-input-origins", "https://app.example");
      await page.locator(".red-ui-tray").screenshot({ path: join(SHOTS, "listener-tab-security.png") });

      await openTab("flowsocket-listener-tab-port");
      assert.equal(await page.isVisible("#node-config-input-tls"), false, "TLS only with a port");
      assert.equal(await page.isVisible("#node-config-input-clientCert"), false, "client certificates only with TLS");
      await expectMarks("#node-config-input-port", [["0", true], ["65536", true], ["80.5", true], ["18999", false]]);
      await page.fill("#node-config-input-host", "127.0.0.1");
      await page.locator("#node-config-input-host").blur();
      assert.equal(await page.isVisible("#node-config-input-tls"), true);
      assert.match((await page.textContent("#flowsocket-listener-root")) ?? "", /ws:\/\/127\.0\.0\.1:18999\/ws\/locked/);
      await page.locator(".red-ui-tray").screenshot({ path: join(SHOTS, "listener-tab-port.png") });
      // Back on Node-RED's server: the host goes with the port.
      await page.fill("#node-config-input-port", "");
      await page.locator("#node-config-input-port").blur();
      assert.match((await page.textContent("#flowsocket-listener-root")) ?? "", /httpNodeRoot/);
      await saveEditor();

      const saved = {
        maxPayload: "65536",
        maxFragments: "64",
        maxSessions: "100",
        rateLimit: "50",
        rateBurst: "100",
        backpressure: "close",
        compression: false,
        tokenQuery: "access_token",
        tokenHeader: false,
        tokenSubprotocol: true,
        origins: "https://app.example",
        httpNodeAuth: false,
        port: "",
        host: "",
        tls: "",
        clientCert: false,
      };
      assert.deepEqual(await propertiesOf(listener.id, Object.keys(saved)), saved);
      await deployFromEditor();
      const flows = (await red!.get("/flows")).body as Record<string, unknown>[];
      assert.equal(JSON.stringify(flows).includes(LISTENER_TOKEN), false, "GET /flows has no token");
      assert.equal(flows.find((node) => node.id === listener.id)?.credentials, undefined);
      // A password credential: the editor is told only that there is one.
      assert.deepEqual((await red!.get(`/credentials/flowsocket-listener/${listener.id}`)).body, { has_token: true });

      // Reopened: the password field holds a stand-in, not the token.
      await openNode(listener.id);
      await openTab("flowsocket-listener-tab-security");
      assert.notEqual(await page.inputValue("#node-config-input-token"), LISTENER_TOKEN);
      assert.equal(await page.isChecked("#node-config-input-tokenSubprotocol"), true);
      await cancelEditor();
    } finally {
      await page.evaluate((nodeId) => (window as unknown as { RED: EditorApi }).RED.nodes.remove(nodeId), listener.id);
    }
  });

  it("gives in and out nodes a Format, shown as auto when the flow has none, and the in node's only for payloads", async function () {
    // A client sending the entire message: its frames are messages, not payloads.
    const whole = { id: "a11ce00000000002", type: "flowsocket-client", path: "ws://127.0.0.1:9/whole", wholemsg: "true" };
    await page.evaluate((node) => (window as unknown as { RED: EditorApi }).RED.nodes.import([node]), whole);
    try {
      const inId = await openEditor("flowsocket-in", (node) => node.format === undefined);
      assert.equal(await page.inputValue("#node-input-format"), "auto");
      await page.selectOption("#node-input-format", "string");
      await page.selectOption("#node-input-mode", "client");
      await page.selectOption("#node-input-client", whole.id);
      assert.equal(await page.isVisible("#node-input-format"), false);
      await page.selectOption("#node-input-mode", "server");
      assert.equal(await page.isVisible("#node-input-format"), true);
      await page.locator(".red-ui-tray").screenshot({ path: join(SHOTS, "in-node-format.png") });
      await saveEditor();
      assert.equal((await propertiesOf(inId, ["format"])).format, "string");
    } finally {
      await page.evaluate((nodeId) => (window as unknown as { RED: EditorApi }).RED.nodes.remove(nodeId), whole.id);
    }

    const outId = await openEditor("flowsocket-out", (node) => node.format === undefined);
    assert.equal(await page.inputValue("#node-input-format"), "auto");
    await page.selectOption("#node-input-format", "text");
    await page.locator(".red-ui-tray").screenshot({ path: join(SHOTS, "out-node-format.png") });
    await saveEditor();
    assert.equal((await propertiesOf(outId, ["format"])).format, "text");
  });

  it("raised no script errors in the page", function () {
    assert.deepEqual(pageErrors, []);
  });

  /** Types `filter` into the palette's search box and describes the nodes left visible. */
  async function filterPalette(target: Page, filter: string): Promise<PaletteEntry[]> {
    // Typed key by key: the palette's search box filters on key events.
    await target.locator("#red-ui-palette-search input").pressSequentially(filter);
    // The box filters a moment after each key, so the first keys' wider
    // filters show first: wait until every node left matches the whole text.
    await target.waitForFunction((text) => {
      const visible = Array.from(document.querySelectorAll(".red-ui-palette-node")).filter((node) => (node as HTMLElement).offsetParent !== null);
      const matches = (node: Element): boolean => `${node.getAttribute("data-palette-type")} ${node.textContent}`.toLowerCase().includes(text);
      return visible.length > 0 && visible.every(matches);
    }, filter.toLowerCase());
    return target.$$eval(".red-ui-palette-node", (nodes) =>
      nodes
        .filter((node) => (node as HTMLElement).offsetParent !== null)
        .map((node) => {
          const label = node.querySelector(".red-ui-palette-label")!;
          return {
            type: node.getAttribute("data-palette-type"),
            label: (label.textContent ?? "").replace(/\s+/g, " ").trim(),
            // The palette breaks a label into lines with <br>, each one line-height tall.
            lines: Math.round(label.getBoundingClientRect().height / parseFloat(getComputedStyle(label).lineHeight)),
            colour: getComputedStyle(node).backgroundColor,
            category: node.closest(".red-ui-palette-category")?.id,
          };
        }),
    );
  }

  /**
   * Opens the edit dialog of the first node of `type` (on the canvas or a
   * config node) that passes `test`. `test` runs in the page, so it cannot
   * use variables of the test: open a node by its id with openNode.
   */
  async function openEditor(type: string, test: (node: Record<string, unknown>) => boolean = () => true): Promise<string> {
    const id = await page.evaluate(
      ({ nodeType, testSource }) => {
        const editor = (window as unknown as { RED: EditorApi }).RED;
        const accept = new Function("node", `return (${testSource})(node)`) as (node: unknown) => boolean;
        const found: Record<string, unknown>[] = [];
        editor.nodes.eachNode((node) => void (node.type === nodeType && found.push(node)));
        editor.nodes.eachConfig((node) => void (node.type === nodeType && found.push(node)));
        return (found.find(accept)?.id as string | undefined) ?? "";
      },
      { nodeType: type, testSource: test.toString() },
    );
    assert.ok(id, `a ${type} node in the deployed example`);
    await openNode(id);
    return id;
  }

  /** Opens the edit dialog of the node (or config node) `id`. */
  async function openNode(id: string): Promise<void> {
    await page.evaluate((nodeId) => {
      const editor = (window as unknown as { RED: EditorApi }).RED;
      const node = editor.nodes.node(nodeId)!;
      if (editor.nodes.getType(node.type as string).category === "config") {
        editor.editor.editConfig("", node.type as string, nodeId);
      } else {
        editor.editor.edit(node);
      }
    }, id);
    await page.waitForSelector(".red-ui-tray .red-ui-tray-body", { state: "visible" });
    await page.waitForTimeout(300);
  }

  /** Clicks Done in the open edit dialog and waits for it to close. */
  async function saveEditor(): Promise<void> {
    await page.click(".red-ui-tray:last-of-type #node-dialog-ok, .red-ui-tray:last-of-type #node-config-dialog-ok");
    await page.waitForFunction(() => document.querySelectorAll(".red-ui-tray").length === 0);
  }

  /** Shows a tab of the open listener or client dialog. */
  async function openTab(id: string): Promise<void> {
    // RED.tabs takes a second click within 400 ms of the one before as a double click, which does not switch.
    await page.waitForTimeout(400);
    await page.click(`.red-ui-tray:last-of-type a[href="#${id}"]`);
    await page.waitForSelector(`#${id}`, { state: "visible" });
  }

  /** Some properties of a node as the editor holds them. */
  async function propertiesOf(id: string, names: string[]): Promise<Record<string, unknown>> {
    return page.evaluate(
      ({ nodeId, wanted }) => {
        const node = (window as unknown as { RED: EditorApi }).RED.nodes.node(nodeId)!;
        return Object.fromEntries(wanted.map((name) => [name, node[name]]));
      },
      { nodeId: id, wanted: names },
    );
  }

  async function isChecked(selectors: string[]): Promise<boolean[]> {
    return Promise.all(selectors.map((selector) => page.isChecked(selector)));
  }

  /** The output ports the canvas draws for node `id`. */
  async function outputPorts(id: string): Promise<number> {
    return page.locator(`[id="${id}"] .red-ui-flow-port-output`).count();
  }

  /** Types each value into the input and checks whether the editor marks it invalid. */
  async function expectMarks(selector: string, cases: [string, boolean][]): Promise<void> {
    for (const [value, bad] of cases) {
      await page.fill(selector, value);
      await page.locator(selector).blur();
      assert.equal(await hasErrorMark(selector), bad, `${selector}: ${JSON.stringify(value)}`);
    }
  }

  /** The wires leaving node `id`. */
  async function linksFrom(id: string): Promise<number> {
    return page.evaluate((nodeId) => {
      const editor = (window as unknown as { RED: EditorApi }).RED;
      return editor.nodes.filterLinks({ source: editor.nodes.node(nodeId) }).length;
    }, id);
  }

  /** The ids of the nodes of `type` on flow `z`. */
  async function nodesOn(z: string, type: string): Promise<string[]> {
    return page.evaluate(
      ({ flow, nodeType }) =>
        (window as unknown as { RED: EditorApi }).RED.nodes.filterNodes({ z: flow, type: nodeType }).map((node) => node.id as string),
      { flow: z, nodeType: type },
    );
  }

  /**
   * Deploys with the editor's Deploy button and waits until the runtime has
   * started the flows (Node-RED answers the deploy before it starts them, and
   * tells the editor once they run with a runtime-deploy notification) and
   * the editor can be used again.
   */
  async function deployFromEditor(): Promise<void> {
    await page.evaluate(() => {
      const editor = (window as unknown as { RED: EditorApi }).RED;
      const started: string[] = [];
      const onStarted = (_topic: string, msg: { revision: string }): void => void started.push(msg.revision);
      editor.comms.subscribe("notification/runtime-deploy", onStarted);
      (window as unknown as { flowsocketDeploy: DeployWatch }).flowsocketDeploy = { started, onStarted };
    });
    await page.click("#red-ui-header-button-deploy");
    await page.waitForFunction(
      () => {
        const editor = (window as unknown as { RED: EditorApi }).RED;
        const watch = (window as unknown as { flowsocketDeploy: DeployWatch }).flowsocketDeploy;
        return !editor.nodes.dirty() && watch.started.includes(editor.nodes.version());
      },
      undefined,
      { timeout: 30000 },
    );
    await page.evaluate(() => {
      const watch = (window as unknown as { flowsocketDeploy: DeployWatch }).flowsocketDeploy;
      (window as unknown as { RED: EditorApi }).RED.comms.unsubscribe("notification/runtime-deploy", watch.onStarted);
    });
    // The editor stays shaded for at least 300 ms of a deploy.
    await page.waitForSelector("#red-ui-editor-shade", { state: "hidden" });
  }

  async function cancelEditor(): Promise<void> {
    await page.click(".red-ui-tray:last-of-type #node-dialog-cancel, .red-ui-tray:last-of-type #node-config-dialog-cancel");
    await page.waitForFunction(() => document.querySelectorAll(".red-ui-tray").length === 0);
  }

  /** Whether the editor takes each of these nodes as valid, and the reasons it gives if not. */
  async function validity(ids: string[]): Promise<{ id: string; type: string; valid: boolean; errors: string[] }[]> {
    return page.evaluate((wanted) => {
      const editor = (window as unknown as { RED: EditorApi }).RED;
      return wanted.map((id) => {
        const node = editor.nodes.node(id);
        return {
          id,
          type: String(node?.type),
          valid: node?.valid === true,
          errors: (node?.validationErrors as string[] | undefined) ?? [],
        };
      });
    }, ids);
  }

  async function hasErrorMark(selector: string): Promise<boolean> {
    return page.$eval(selector, (input) => input.classList.contains("input-error"));
  }
});

/** The editor's jQuery, as far as the tests use it on a TypedInput. */
type JQueryLike = (selector: string) => { typedInput(method: string, value: string): void };

interface PaletteEntry {
  type: string | null;
  label: string;
  lines: number;
  colour: string;
  category: string | undefined;
}

interface EditorApi {
  nodes: {
    eachNode(fn: (node: Record<string, unknown>) => void): void;
    eachConfig(fn: (node: Record<string, unknown>) => void): void;
    getType(type: string): { category: string; label?: (this: Record<string, unknown>) => string };
    node(id: string): Record<string, unknown> | null;
    import(nodes: Record<string, unknown>[]): unknown;
    dirty(value?: boolean): boolean;
    version(): string;
    addLink(link: { source: unknown; sourcePort: number; target: unknown }): void;
    filterLinks(filter: { source?: unknown; target?: unknown }): unknown[];
    filterNodes(filter: { z?: string; type?: string }): Record<string, unknown>[];
    remove(id: string): unknown;
    removeWorkspace(id: string): unknown;
    workspace(id: string): unknown;
  };
  workspaces: {
    enable(id: string): void;
    refresh(): void;
    active(): string;
    delete(workspace: unknown): void;
    show(id: string): void;
  };
  view: {
    redraw(updateActive?: boolean): void;
  };
  history: {
    pop(): void;
  };
  sidebar: {
    show(id: string): void;
    help: { show(type: string): void };
  };
  actions: {
    invoke(name: string): void;
  };
  comms: {
    subscribe(topic: string, callback: DeployWatch["onStarted"]): void;
    unsubscribe(topic: string, callback: DeployWatch["onStarted"]): void;
  };
  editor: {
    edit(node: unknown): void;
    editConfig(name: string, type: string, id: string): void;
  };
}

/** The revisions the runtime said it started while deployFromEditor waits. */
interface DeployWatch {
  started: string[];
  onStarted(topic: string, msg: { revision: string }): void;
}
