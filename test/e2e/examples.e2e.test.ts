import { strict as assert } from "node:assert";
import { readdirSync, readFileSync } from "node:fs";
import { rm } from "node:fs/promises";
import { join, resolve } from "node:path";
import type { Browser, Page } from "playwright-core";
import { launchBrowser } from "../support/browser";
import { nextCommsMessage, nextDebugMessage } from "../support/comms";
import { NodeRedProcess } from "../support/node-red-process";
import { installPackedPackage } from "../support/packed-install";
import { TestClient } from "../support/peers";

const ROOT = resolve(__dirname, "..", "..", "..");
const SHOTS = join(ROOT, ".build", "screenshots");
const MODULE = "@flowsocket/node-red";
/**
 * The HTTP nodes' root in this Node-RED: the examples must work under one
 * without edits, and the chat page must find its listener from its address.
 */
const NODE_ROOT = "/apps";
/** A guard on each wait for the browser or Node-RED: long, since other test runs share the machine. */
const WAIT_MS = 20000;

type FlowNode = Record<string, unknown> & { id: string; type: string };

function example(name: string): FlowNode[] {
  return JSON.parse(readFileSync(join(ROOT, "examples", `${name}.json`), "utf8")) as FlowNode[];
}

/** The shipped examples, deployed as they are into a real Node-RED with the packed package. */
describe("e2e: the examples in a real Node-RED", function () {
  this.timeout(240000);

  let tmp: string | undefined;
  let red: NodeRedProcess | undefined;

  before(async function () {
    let userDir: string;
    ({ tmp, userDir } = await installPackedPackage());
    // No welcome tour over the editor's canvas.
    red = await NodeRedProcess.start({ userDir, settings: { httpNodeRoot: NODE_ROOT, editorTheme: { tours: false } } });
  });

  afterEach(function () {
    if (this.currentTest?.state === "failed" && red) {
      console.log(`--- Node-RED output ---\n${red.output()}`);
    }
  });

  after(async function () {
    await red?.stop();
    if (tmp) {
      await rm(tmp, { recursive: true, force: true });
    }
  });

  it("offers every file in examples/ in the editor's Import > Examples, as it is", async function () {
    // The editor's examples browser reads the "examples" library: module names
    // first, then a module's files, then one file's flow.
    const modules = await red!.get("/library/examples/flows/");
    assert.equal(modules.status, 200);
    assert.ok((modules.body as string[]).includes(MODULE), JSON.stringify(modules.body));

    const names = readdirSync(join(ROOT, "examples"))
      .filter((file) => file.endsWith(".json"))
      .map((file) => file.slice(0, -".json".length));
    assert.deepEqual([...names].sort(), ["chat-rooms", "echo", "presence-board", "switch-servers"]);
    const files = (await red!.get(`/library/examples/flows/${MODULE}`)).body as { fn: string }[];
    assert.deepEqual(files.map((file) => file.fn).sort(), [...names].sort());

    for (const name of names) {
      const flow = await red!.get(`/library/examples/flows/${MODULE}/${name}`);
      assert.equal(flow.status, 200, name);
      assert.deepEqual(flow.body, example(name), name);
    }
  });

  describe("chat-rooms.json", function () {
    let browser: Browser | undefined;
    const pages: Page[] = [];
    const problems: string[] = [];

    before(async function () {
      await red!.deploy(example("chat-rooms"));
      browser = await launchBrowser();
    });

    afterEach(async function () {
      if (this.currentTest?.state === "failed") {
        await Promise.all(
          pages.map((page, i) => page.screenshot({ path: join(SHOTS, `chat-failed-${i}.png`) }).catch(() => undefined)),
        );
      }
    });

    after(async function () {
      await Promise.all(pages.map((page) => page.close()));
      await browser?.close();
    });

    /** A new page on the chat, joined as `name` in `room`: resolves once it lists itself among the people there. */
    async function joinChat(name: string, room: string): Promise<Page> {
      const page = await browser!.newPage({ viewport: { width: 900, height: 560 } });
      pages.push(page);
      page.on("pageerror", (error) => problems.push(`${name}: ${error.message}`));
      page.on("console", (message) => {
        if (message.type() === "error") {
          problems.push(`${name}: console: ${message.text()}`);
        }
      });
      // The page is self-contained: everything it asks for comes from this Node-RED.
      page.on("request", (request) => {
        if (!request.url().startsWith(`${red!.url}/`)) {
          problems.push(`${name}: requested ${request.url()}`);
        }
      });
      // It finds the listener from its own address, prefix included.
      page.on("websocket", (socket) => {
        if (!socket.url().startsWith(`ws://127.0.0.1:${red!.port}${NODE_ROOT}/ws/chat?name=`)) {
          problems.push(`${name}: connected to ${socket.url()}`);
        }
      });
      await page.goto(`${red!.url}${NODE_ROOT}/flowsocket/chat`, { timeout: WAIT_MS });
      await page.fill("#name", name);
      await page.fill("#room", room);
      await page.click("#join button");
      await page.waitForFunction(
        (me) => Array.from(document.querySelectorAll("#people li")).some((item) => item.textContent === me),
        name,
        { timeout: WAIT_MS },
      );
      return page;
    }

    async function people(page: Page): Promise<string[]> {
      return page.$$eval("#people li", (items) => items.map((item) => item.textContent ?? ""));
    }

    /** Resolves once the page lists exactly `names` (sorted, as the flow sends them). */
    async function waitForPeople(page: Page, names: string[]): Promise<void> {
      await page
        .waitForFunction(
          (expected) => Array.from(document.querySelectorAll("#people li")).map((item) => item.textContent).join("\n") === expected.join("\n"),
          names,
          { timeout: WAIT_MS },
        )
        .catch(async (error: Error) => {
          throw new Error(`people ${JSON.stringify(await people(page))}, not ${JSON.stringify(names)}: ${error.message}`);
        });
    }

    /** The chat lines a page shows, as "from: text". */
    async function messages(page: Page): Promise<string[]> {
      return page.$$eval("#messages li.message", (items) => items.map((item) => item.textContent ?? ""));
    }

    async function waitForMessage(page: Page, line: string): Promise<void> {
      await page.waitForFunction(
        (expected) => Array.from(document.querySelectorAll("#messages li.message")).some((item) => item.textContent === expected),
        line,
        { timeout: WAIT_MS },
      );
    }

    async function say(page: Page, text: string): Promise<void> {
      await page.fill("#text", text);
      await page.click("#say button");
    }

    it("shows who is in the room, keeps messages to their room, and drops a page that closes", async function () {
      const ann = await joinChat("Ann", "A");
      const bob = await joinChat("Bob", "A");
      const cid = await joinChat("Cid", "B");

      // Presence: Ann saw Bob join; Cid is alone in B and no one in A saw Cid.
      await waitForPeople(ann, ["Ann", "Bob"]);
      await waitForPeople(bob, ["Ann", "Bob"]);
      await waitForPeople(cid, ["Cid"]);
      assert.equal(await ann.textContent("#room-title"), "Room A (2 here)");
      assert.ok((await ann.$$eval("#messages li.note", (items) => items.map((item) => item.textContent))).includes("Bob joined"));

      // A message from room A reaches both room-A pages (the sender's own included).
      await say(ann, "hello, room A");
      await waitForMessage(bob, "Ann: hello, room A");
      await waitForMessage(ann, "Ann: hello, room A");

      // The room-B page did not get it: the flow had sent room A's message
      // to every page it went to before Cid said anything, and one socket
      // delivers in order, so once Cid's later message is there, an earlier
      // one would be there too.
      await say(cid, "hello, room B");
      await waitForMessage(cid, "Cid: hello, room B");
      assert.deepEqual(await messages(cid), ["Cid: hello, room B"]);
      // And the other way: Ann and Bob answered nothing in between, so room B's
      // message would have arrived right after room A's.
      await say(bob, "still A");
      await waitForMessage(ann, "Bob: still A");
      assert.deepEqual(await messages(ann), ["Ann: hello, room A", "Bob: still A"]);
      await ann.screenshot({ path: join(SHOTS, "chat-room-a.png") });
      await cid.screenshot({ path: join(SHOTS, "chat-room-b.png") });

      // Closing Bob's page ends the session: Ann sees Bob leave; Cid's room is unchanged.
      await bob.close();
      pages.splice(pages.indexOf(bob), 1);
      await waitForPeople(ann, ["Ann"]);
      await ann.waitForFunction(
        () => Array.from(document.querySelectorAll("#messages li.note")).some((item) => item.textContent === "Bob left"),
        undefined,
        { timeout: WAIT_MS },
      );
      assert.deepEqual(await people(cid), ["Cid"]);

      // Leave closes the socket; the page returns to its form.
      await cid.click("#leave");
      await cid.waitForSelector("#join:not([hidden])", { timeout: WAIT_MS });
      assert.equal(await cid.textContent("#status"), "not connected");

      assert.deepEqual(problems, []);
    });
  });

  describe("presence-board.json", function () {
    const flow = example("presence-board");
    const debugId = flow.find((node) => node.type === "debug")!.id;
    const formatId = flow.find((node) => node.type === "function")!.id;
    const clients: TestClient[] = [];

    interface Row {
      id: string;
      from: string;
      openedAt: string;
      rooms: string[];
    }

    before(async function () {
      // Alone: a full deploy replaces the chat, so the board needs nothing of it.
      await red!.deploy(flow);
    });

    after(async function () {
      await Promise.all(clients.map((client) => client.close()));
    });

    /** The next listing in the Debug sidebar that `match` accepts; the board lists every 5 s. */
    async function nextListing(match: (rows: Row[]) => boolean): Promise<{ rows: Row[]; topic: unknown }> {
      const data = await nextDebugMessage(red!.port, (item) => item.id === debugId && match(JSON.parse(String(item.msg)) as Row[]), WAIT_MS);
      return { rows: JSON.parse(String(data.msg)) as Row[], topic: data.topic };
    }

    async function status(text: string): Promise<void> {
      await nextCommsMessage(red!.port, `status/${formatId}`, (data) => data.text === text, WAIT_MS);
    }

    it("lists the open sessions with their details, and one fewer after one closes", async function () {
      const url = `ws://127.0.0.1:${red!.port}${NODE_ROOT}/ws/presence`;
      const before = Date.now();
      const lobby = await TestClient.open(url);
      clients.push(lobby);
      const plain = await TestClient.open(url);
      clients.push(plain);
      const after = Date.now();
      // The listener lets clients join rooms themselves.
      lobby.send(JSON.stringify({ type: "join", room: "lobby" }));

      const both = await nextListing((rows) => rows.length === 2 && rows.some((row) => row.rooms.includes("lobby")));
      assert.equal(both.topic, "2 open");
      const [inLobby, other] = [both.rows.find((row) => row.rooms.length > 0)!, both.rows.find((row) => row.rooms.length === 0)!];
      assert.ok(inLobby && other, JSON.stringify(both.rows));
      assert.deepEqual(inLobby.rooms, ["lobby"]);
      assert.notEqual(inLobby.id, other.id);
      for (const row of both.rows) {
        assert.match(row.from, /^127\.0\.0\.1:\d+$/);
        const opened = Date.parse(row.openedAt);
        assert.ok(opened >= before - 1000 && opened <= after + 1000, `${row.openedAt} between the two opens`);
      }
      assert.notEqual(inLobby.from, other.from);
      await status("2 open");

      await lobby.close();
      const one = await nextListing((rows) => rows.length === 1);
      assert.equal(one.topic, "1 open");
      assert.deepEqual(one.rows, [other]);
      await status("1 open");
    });
  });
  describe("through the editor's Import > Examples and Deploy", function () {
    let browser: Browser | undefined;

    before(async function () {
      browser = await launchBrowser();
    });

    // Each import starts from an empty workspace: the editor deploys all it holds.
    beforeEach(async function () {
      await red!.deploy([]);
    });

    after(async function () {
      await browser?.close();
    });

    for (const name of ["chat-rooms", "presence-board"]) {
      it(`keeps every option and wire of ${name}.json`, async function () {
        const page = await browser!.newPage({ viewport: { width: 1400, height: 900 } });
        try {
          await page.goto(red!.url);
          await page.waitForSelector('.red-ui-palette-node[data-palette-type="flowsocket-in"]', { timeout: 60000 });
          // What the Import dialog does with the flow it read from the examples library.
          const flow = (await red!.get(`/library/examples/flows/${MODULE}/${name}`)).body as FlowNode[];
          await page.evaluate((nodes) => (window as unknown as { RED: { view: { importNodes(n: unknown): void } } }).RED.view.importNodes(nodes), flow);
          const deployed = page.waitForResponse((response) => response.url() === `${red!.url}/flows` && response.request().method() === "POST", {
            timeout: WAIT_MS,
          });
          await page.click("#red-ui-header-button-deploy");
          assert.equal((await deployed).ok(), true);

          // Every property shipped is kept (the editor may add its defaults);
          // where a node sits is the editor's business.
          const running = new Map(((await red!.get("/flows")).body as FlowNode[]).map((node) => [node.id, node]));
          for (const { x: _x, y: _y, z: _z, ...shipped } of example(name).filter((node) => node.type.startsWith("flowsocket-"))) {
            const kept: Record<string, unknown> = running.get(shipped.id) ?? {};
            assert.deepEqual(Object.fromEntries(Object.keys(shipped).map((key) => [key, kept[key]])), shipped, `${shipped.type} ${shipped.id}`);
          }
        } finally {
          await page.close();
        }
      });
    }
  });
});
