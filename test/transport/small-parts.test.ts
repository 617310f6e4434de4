import assert from "node:assert/strict";
import { Backoff } from "../../nodes/transport/backoff";
import { FlowsocketError } from "../../nodes/transport/errors";
import { listenerPath } from "../../nodes/transport/paths";
import { checkProtocols } from "../../nodes/transport/protocols";
import { parseWebSocketUrl } from "../../nodes/transport/client-connection";

function assertCode(fn: () => unknown, code: string): void {
  assert.throws(fn, (error: unknown) => error instanceof FlowsocketError && error.code === code);
}

describe("listenerPath", () => {
  it("joins httpNodeRoot and the path with one slash", () => {
    assert.equal(listenerPath("/", "/ws/echo"), "/ws/echo");
    assert.equal(listenerPath("/", "ws/echo"), "/ws/echo");
    assert.equal(listenerPath("/api", "/ws"), "/api/ws");
    assert.equal(listenerPath("/api/", "ws"), "/api/ws");
    assert.equal(listenerPath("api", "ws"), "/api/ws");
  });

  it("rejects empty paths and paths with white space, queries or fragments", () => {
    for (const bad of ["", "/", "  ", "/a b", "/a?b", "/a#b"]) {
      assertCode(() => listenerPath("/", bad), "FLOWSOCKET_ERR_INVALID_PATH");
    }
  });
});

describe("parseWebSocketUrl", () => {
  it("accepts ws:// and wss:// URLs", () => {
    assert.equal(parseWebSocketUrl("ws://127.0.0.1:1880/ws").port, "1880");
    assert.equal(parseWebSocketUrl(" wss://example.com/x ").protocol, "wss:");
  });

  it("rejects other schemes and non-URLs, naming the value", () => {
    for (const bad of ["ftp://x", "http://x", "/ws/echo", "ws://", ""]) {
      assert.throws(
        () => parseWebSocketUrl(bad),
        (error: unknown) =>
          error instanceof FlowsocketError && error.code === "FLOWSOCKET_ERR_INVALID_URL" && error.message.includes(bad),
      );
    }
  });
});

describe("subprotocols", () => {
  it("rejects protocols ws would refuse", () => {
    assertCode(() => checkProtocols(["a b"]), "FLOWSOCKET_ERR_INVALID_PROTOCOL");
    assertCode(() => checkProtocols(["a", "a"]), "FLOWSOCKET_ERR_INVALID_PROTOCOL");
    checkProtocols(["chat.v1", "json"]);
  });
});

describe("Backoff", () => {
  it("grows by its factor up to the ceiling and starts over after reset", () => {
    const backoff = new Backoff({ initialMs: 100, maxMs: 500 });
    const delays = Array.from({ length: 5 }, () => backoff.next(true));
    assert.deepEqual(delays, [100, 200, 400, 500, 500]);
    backoff.reset();
    assert.equal(backoff.next(true), 100);
    const tripling = new Backoff({ initialMs: 100, maxMs: 10_000, factor: 3 });
    assert.deepEqual(Array.from({ length: 4 }, () => tripling.next(true)), [100, 300, 900, 2700]);
    const fixed = new Backoff({ initialMs: 250, maxMs: 10_000, factor: 1 });
    assert.deepEqual(Array.from({ length: 3 }, () => fixed.next(true)), [250, 250, 250]);
  });

  it("spreads each delay between (1 - jitter) and 1 times its value", () => {
    const lowest = new Backoff({ initialMs: 1000, maxMs: 4000, jitter: 0.5 }, () => 0.999999);
    const highest = new Backoff({ initialMs: 1000, maxMs: 4000, jitter: 0.5 }, () => 0);
    assert.deepEqual(Array.from({ length: 4 }, () => lowest.next(true)), [500, 1000, 2000, 2000]);
    assert.deepEqual(Array.from({ length: 4 }, () => highest.next(true)), [1000, 2000, 4000, 4000]);
    const spread = new Backoff({ initialMs: 1000, maxMs: 1000, jitter: 0.3 });
    for (let i = 0; i < 200; i++) {
      const delay = spread.next(true)!;
      assert.ok(delay >= 700 && delay <= 1000, `${delay} outside [700, 1000]`);
    }
  });

  it("gives up after its attempt limit, counting failed attempts in a row and not drops", () => {
    const backoff = new Backoff({ initialMs: 100, maxMs: 1000, maxAttempts: 3 });
    assert.equal(backoff.next(false), 100, "a drop: retry, however many drops");
    assert.equal(backoff.next(true), 200, "first failed attempt");
    assert.equal(backoff.next(true), 400, "second");
    assert.equal(backoff.next(true), undefined, "the third failure is the last attempt");
    backoff.reset();
    assert.equal(backoff.next(true), 100, "a flow's connect starts a new series");
    const endless = new Backoff({ initialMs: 1, maxMs: 1, maxAttempts: 0 });
    assert.ok(Array.from({ length: 1000 }, () => endless.next(true)).every((delay) => delay === 1));
  });

  it("keeps huge growth finite", () => {
    const backoff = new Backoff({ initialMs: 1, maxMs: 5000, factor: 100 });
    const delays = Array.from({ length: 2000 }, () => backoff.next(true));
    assert.equal(delays.at(-1), 5000);
  });
});
