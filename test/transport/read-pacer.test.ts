import assert from "node:assert/strict";
import { once } from "node:events";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { ChannelHandlers } from "../../nodes/transport/channel";
import { DEFAULT_FRAMES_PER_TURN, ReadPacer, type PacedReader } from "../../nodes/transport/read-pacer";
import { ServerEndpoint } from "../../nodes/transport/server-endpoint";
import { UpgradeRouter } from "../../nodes/transport/upgrade-router";
import { TestClient, withTimeout } from "../support/peers";

/** Resolves once `count()` reaches `total`; call `check` after each frame. */
function reaching(total: number, count: () => number): { check(): void; reached: Promise<void> } {
  let resolve: () => void = () => {};
  const reached = new Promise<void>((done) => (resolve = done));
  return { check: () => void (count() >= total && resolve()), reached };
}

describe("read pacing", () => {
  let http: Server;
  let router: UpgradeRouter;
  let endpoint: ServerEndpoint;
  let client: TestClient | undefined;
  let other: TestClient | undefined;

  /** Starts an endpoint on /ws that hands each text frame to `onText`; resolves with its URL. */
  async function serve(onText: (frame: string) => void): Promise<string> {
    const handlers: ChannelHandlers = {
      onOpen: () => undefined,
      onClose: () => undefined,
      onError: () => undefined,
      onMessage: (_session, frame) => onText(frame as string),
    };
    http = createServer();
    http.listen(0, "127.0.0.1");
    await once(http, "listening");
    router = new UpgradeRouter(http);
    endpoint = new ServerEndpoint(handlers);
    router.add("/ws", endpoint);
    return `ws://127.0.0.1:${(http.address() as AddressInfo).port}/ws`;
  }

  afterEach(async () => {
    await client?.close();
    await other?.close();
    router.remove("/ws", endpoint);
    await endpoint.stop();
    http.closeAllConnections();
    await new Promise<void>((resolve) => http.close(() => resolve()));
  });

  it("hands over a flood a few hundred frames per turn, all of them, in order", async () => {
    const received: string[] = [];
    let thisTurn = 0;
    let mostInOneTurn = 0;
    let ticking = true;
    // Counts frames between two turns of the event loop.
    const tick = (): void => {
      mostInOneTurn = Math.max(mostInOneTurn, thisTurn);
      thisTurn = 0;
      if (ticking) {
        setImmediate(tick);
      }
    };
    const total = 6000;
    const all = reaching(total, () => received.length);
    const url = await serve((frame) => {
      thisTurn++;
      received.push(frame);
      all.check();
    });
    client = await TestClient.open(url);

    const padding = "p".repeat(200);
    tick();
    for (let i = 0; i < total; i++) {
      client.send(`${i} ${padding}`);
    }
    await withTimeout(all.reached, 10000, `${total} frames`).finally(() => (ticking = false));
    received.forEach((frame, i) => assert.equal(frame.slice(0, frame.indexOf(" ")), String(i)));
    // The limit, plus what is left of the chunk that reached it (a 64 KiB read
    // holds ~300 of these frames). On loopback the kernel's socket buffers
    // hold only ~600 of them, so this bounds a turn but cannot tell paced
    // from unpaced: the write-batch and bench cases show pacing's effect.
    const bound = DEFAULT_FRAMES_PER_TURN + 400;
    assert.ok(mostInOneTurn <= bound, `${mostInOneTurn} frames in one turn, more than ${bound}`);
  });

  it("lets another client through while one floods", async () => {
    const order: string[] = [];
    const total = 6000;
    const all = reaching(total + 1, () => order.length);
    const url = await serve((frame) => {
      order.push(frame.split(" ")[0]!);
      all.check();
    });
    client = await TestClient.open(url);
    other = await TestClient.open(url);
    const padding = "p".repeat(200);
    for (let i = 0; i < total; i++) {
      client.send(`flood ${padding}`);
    }
    // Sent after the whole flood (1.2 MB); it must not wait for all of it.
    other.send("other");
    await withTimeout(all.reached, 10000, `${total + 1} frames`);
    // It may wait a few turns of at most 512 frames, never for the flood.
    assert.ok(order.indexOf("other") < total / 2, `the other client's frame came ${order.indexOf("other") + 1}th of ${total + 1}`);
  });

  it("reads the clock once per turn: frames of one turn share its time, the next turn has its own", async () => {
    const pacer = new ReadPacer();
    const reader = (): PacedReader => ({ pacedFrames: 0, pauseReading: () => undefined, resumeReading: () => undefined });
    const [a, b] = [reader(), reader()];
    const before = Date.now();
    pacer.count(a);
    const first = pacer.turnStartedAt;
    assert.ok(first >= before && first <= Date.now());
    const busyUntil = Date.now() + 3;
    while (Date.now() < busyUntil) {
      // The same turn, a few milliseconds on.
    }
    pacer.count(b);
    pacer.count(a);
    assert.equal(pacer.turnStartedAt, first, "still the turn's own time");
    await new Promise((resolve) => setImmediate(resolve));
    pacer.count(b);
    assert.ok(pacer.turnStartedAt >= first + 3, "a new turn, a new time");
    assert.deepEqual([a.pacedFrames, b.pacedFrames], [0, 1], "counts start again each turn");
  });
});
