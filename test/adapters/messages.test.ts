import assert from "node:assert/strict";
import { Messages, targetOf } from "../../nodes/adapters/messages";
import type { Session } from "../../nodes/transport/session";

/** Messages read only the session's id. */
const session = { id: "0123456789abcdef" } as Session;

describe("Messages", () => {
  it("builds a payload message in one shape, with a fresh id and the session", () => {
    const messages = new Messages(false);
    const one = messages.fromFrame(session, "hi");
    const two = messages.fromFrame(session, Buffer.from([1]));
    assert.deepEqual(Object.keys(one), ["_msgid", "payload", "_session"]);
    assert.deepEqual(one._session, { type: "websocket", id: session.id });
    assert.match(one._msgid as string, /^[0-9a-f]{16}$/);
    assert.notEqual(one._msgid, two._msgid);
    assert.notEqual(one._session, two._session, "each message has its own _session object");
  });

  it("replaces a peer's _session in entire-message mode and keeps the peer's _msgid", () => {
    const messages = new Messages(true);
    const msg = messages.fromFrame(session, '{"payload":1,"_session":{"type":"websocket","id":"forged"},"_msgid":"peer"}');
    assert.deepEqual(msg, { payload: 1, _session: { type: "websocket", id: session.id }, _msgid: "peer" });
  });

  it("turns a message into a frame as the mode says", () => {
    assert.equal(new Messages(false).toFrame({ payload: 0 }), "0");
    assert.equal(new Messages(true).toFrame({ payload: 0, _session: { type: "websocket", id: "x" } }), '{"payload":0}');
  });

  it("aims a message at its WebSocket session, else at everyone", () => {
    assert.deepEqual(targetOf({ _session: { type: "websocket", id: "abc" } }), { kind: "session", id: "abc" });
    assert.deepEqual(targetOf({ payload: 1 }), { kind: "all" });
    // A session of another kind (an HTTP or TCP flow's) is not ours to answer.
    assert.deepEqual(targetOf({ _session: { type: "tcp", id: "abc" } }), { kind: "all" });
  });
});
