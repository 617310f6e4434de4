import assert from "node:assert/strict";
import { Backoff } from "../../nodes/transport/backoff";
import { FlowsocketError } from "../../nodes/transport/errors";
import { listenerPath } from "../../nodes/transport/paths";
import { checkProtocols, parseProtocolList } from "../../nodes/transport/protocols";
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
  it("parses a comma-separated list", () => {
    assert.deepEqual(parseProtocolList(" mqtt, json ,,"), ["mqtt", "json"]);
    assert.deepEqual(parseProtocolList(undefined), []);
  });

  it("rejects protocols ws would refuse", () => {
    assertCode(() => checkProtocols(["a b"]), "FLOWSOCKET_ERR_INVALID_PROTOCOL");
    assertCode(() => checkProtocols(["a", "a"]), "FLOWSOCKET_ERR_INVALID_PROTOCOL");
    checkProtocols(["chat.v1", "json"]);
  });
});

describe("Backoff", () => {
  it("doubles up to the ceiling and starts over after reset", () => {
    const backoff = new Backoff({ initialMs: 100, maxMs: 500 });
    assert.deepEqual([backoff.next(), backoff.next(), backoff.next(), backoff.next(), backoff.next()], [100, 200, 400, 500, 500]);
    backoff.reset();
    assert.equal(backoff.next(), 100);
  });
});
