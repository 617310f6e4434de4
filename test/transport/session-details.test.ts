import assert from "node:assert/strict";
import { copyDetails, describeSession, type Handshake } from "../../nodes/transport/session-details";

const listener: Handshake = {
  side: "listener",
  remoteAddress: "127.0.0.9",
  remotePort: 40000,
  url: "/ws/chat?name=ann&tag=x&tag=y#top",
  openedAt: 1700000000000,
  headers: { "user-agent": "test" },
};

describe("session details", () => {
  it("split a listener's request target into path and query, a name given twice into an array", () => {
    const details = describeSession("id1", listener, "chat");
    assert.deepEqual(details, {
      type: "websocket",
      id: "id1",
      path: "/ws/chat",
      remoteAddress: "127.0.0.9",
      remotePort: 40000,
      protocol: "chat",
      query: { name: "ann", tag: ["x", "y"] },
      headers: { "user-agent": "test" },
      openedAt: 1700000000000,
    });
  });

  it("freeze what copies share (query, headers, principal) and not the object itself, which is cloned per message", () => {
    const details = describeSession("id1", { ...listener, principal: { method: "basic", user: "ann" } }, "chat");
    assert.ok(Object.isFrozen(details.query) && Object.isFrozen(details.headers) && Object.isFrozen(details.principal));
    assert.equal(Object.isFrozen(details), false);
    assert.deepEqual(details.principal, { method: "basic", user: "ann" });
    assert.equal(describeSession("id2", { ...listener, url: "/ws" }, "chat").query, describeSession("id3", { ...listener, url: "/ws" }, "chat").query, "one shared empty query");
  });

  it("give a client's session the URL it connected to, with the URL's query", () => {
    const details = describeSession("id4", { ...listener, side: "client", url: "ws://example.org:8080/feed?x=1" }, "chat");
    assert.equal(details.url, "ws://example.org:8080/feed?x=1");
    assert.equal("path" in details, false);
    assert.deepEqual(details.query, { x: "1" });
  });

  it("copy, for each message, every field of each shape (listener, with a principal, client) into an object of its own", () => {
    const shapes = [
      describeSession("id5", listener, ""),
      describeSession("id6", { ...listener, principal: { method: "token", name: "t", source: "header" } }, ""),
      describeSession("id7", { ...listener, side: "client", url: "ws://example.org/x" }, ""),
    ];
    for (const details of shapes) {
      const copy = copyDetails(details);
      assert.notEqual(copy, details);
      assert.deepEqual(copy, details);
      assert.deepEqual(Object.keys(copy), Object.keys(details), "the same fields in the same order");
    }
  });
});
