import { strict as assert } from "node:assert";
import { rm } from "node:fs/promises";
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import type { Browser, Page } from "playwright-core";
import { launchBrowser } from "../support/browser";
import { NodeRedProcess } from "../support/node-red-process";
import { installPackedPackage, withClientPort } from "../support/packed-install";

const ROOT = resolve(__dirname, "..", "..", "..");
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

  it("raised no script errors in the page", function () {
    assert.deepEqual(pageErrors, []);
  });

  /** Types `filter` into the palette's search box and describes the nodes left visible. */
  async function filterPalette(target: Page, filter: string): Promise<PaletteEntry[]> {
    // Typed key by key: the palette's search box filters on key events.
    await target.locator("#red-ui-palette-search input").pressSequentially(filter);
    await target.waitForSelector('.red-ui-palette-node[data-palette-type="inject"]', { state: "hidden" });
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

  /** Opens the edit dialog of the first node of `type` (on the canvas or a config node) that passes `test`. */
  async function openEditor(type: string, test: (node: Record<string, unknown>) => boolean = () => true): Promise<string> {
    const id = await page.evaluate(
      ({ nodeType, testSource }) => {
        const editor = (window as unknown as { RED: EditorApi }).RED;
        const accept = new Function("node", `return (${testSource})(node)`) as (node: unknown) => boolean;
        const found: Record<string, unknown>[] = [];
        editor.nodes.eachNode((node) => void (node.type === nodeType && found.push(node)));
        editor.nodes.eachConfig((node) => void (node.type === nodeType && found.push(node)));
        const node = found.find(accept);
        if (!node) {
          return "";
        }
        if (editor.nodes.getType(nodeType).category === "config") {
          editor.editor.editConfig("", nodeType, node.id as string);
        } else {
          editor.editor.edit(node);
        }
        return node.id as string;
      },
      { nodeType: type, testSource: test.toString() },
    );
    assert.ok(id, `a ${type} node in the deployed example`);
    await page.waitForSelector(".red-ui-tray .red-ui-tray-body", { state: "visible" });
    await page.waitForTimeout(300);
    return id;
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
    remove(id: string): unknown;
    removeWorkspace(id: string): unknown;
  };
  workspaces: {
    enable(id: string): void;
    refresh(): void;
  };
  sidebar: {
    show(id: string): void;
  };
  editor: {
    edit(node: unknown): void;
    editConfig(name: string, type: string, id: string): void;
  };
}
