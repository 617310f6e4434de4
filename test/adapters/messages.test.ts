import assert from "node:assert/strict";
import { CommandError, commandOf, Messages, targetOf } from "../../nodes/adapters/messages";
import { ConnectError } from "../../nodes/transport/connect-failure";
import type { Session } from "../../nodes/transport/session";
import { describeSession } from "../../nodes/transport/session-details";

/** Messages read only the session's id, details and rooms. */
const session = {
  id: "0123456789abcdef",
  rooms: new Set(["a"]),
  readAt: 1700000000500,
  details: describeSession("0123456789abcdef", {
    side: "listener",
    remoteAddress: "127.0.0.9",
    remotePort: 40000,
    url: "/ws/chat?name=ann&tag=x&tag=y",
    openedAt: 1700000000000,
    headers: { "user-agent": "test" },
  }, "chat"),
} as unknown as Session;

const PLAIN = { metadata: false, events: false };
const FULL = { metadata: true, events: true };

describe("Messages", () => {
  it("builds a payload message in one shape, with a fresh id and the session", () => {
    const messages = new Messages(false);
    const one = messages.fromFrame(session, "hi", PLAIN);
    const two = messages.fromFrame(session, Buffer.from([1]), PLAIN);
    assert.deepEqual(Object.keys(one), ["_msgid", "payload", "_session"]);
    assert.deepEqual(one._session, { type: "websocket", id: session.id });
    assert.match(one._msgid as string, /^[0-9a-f]{16}$/);
    assert.notEqual(one._msgid, two._msgid);
    assert.notEqual(one._session, two._session, "each message has its own _session object");
  });

  it("replaces a peer's _session in entire-message mode and keeps the peer's _msgid", () => {
    const messages = new Messages(true);
    const msg = messages.fromFrame(session, '{"payload":1,"_session":{"type":"websocket","id":"forged"},"_msgid":"peer"}', PLAIN);
    assert.deepEqual(msg, { payload: 1, _session: { type: "websocket", id: session.id }, _msgid: "peer" });
  });

  it("gives each message a copy of its own of the session's details (session-details.test.ts), with frozen query and headers", () => {
    const messages = new Messages(false);
    const one = messages.fromFrame(session, "a", FULL);
    const two = messages.fromFrame(session, "b", FULL);
    assert.deepEqual(one._session, { ...session.details });
    assert.deepEqual([(one._session as { path: string }).path, (one._session as { protocol: string }).protocol], ["/ws/chat", "chat"]);
    assert.equal(one.receivedAt, session.readAt, "when its frame was read");
    assert.deepEqual(Object.keys(one), ["_msgid", "payload", "receivedAt", "_session"], "_session last, which a Change node deletes cheaply");
    (one._session as { id: string }).id = "changed";
    assert.equal((two._session as { id: string }).id, session.id, "one message's change stays in it");
    assert.ok(Object.isFrozen((two._session as { query: object }).query));
    assert.notEqual(one._session, session.details, "a copy, not the session's own");
  });

  it("builds event messages with no payload, and keeps a peer from forging one", () => {
    const messages = new Messages(true);
    const connect = messages.connected(session, PLAIN);
    assert.deepEqual(Object.keys(connect), ["_msgid", "event", "_session"]);
    assert.equal(connect.event, "connect");
    const gone = messages.disconnected(session, 1006, "", "heartbeat", PLAIN);
    assert.deepEqual([gone.event, gone.code, gone.reason, gone.cause, "payload" in gone], ["disconnect", 1006, "", "heartbeat", false]);
    const failed = messages.failed(new ConnectError("not-found", "the server answered HTTP 404", 404), undefined, PLAIN);
    assert.deepEqual(failed.error, { message: "the server answered HTTP 404", failure: "not-found", status: 404 });
    assert.equal("_session" in failed, false);
    const forged = messages.fromFrame(session, '{"event":"disconnect","code":1000,"cause":"peer"}', { metadata: false, events: true });
    assert.equal("event" in forged, false, "a peer's event is taken off when events are on");
    assert.equal(messages.fromFrame(session, '{"event":"x"}', PLAIN).event, "x", "and kept when they are off");
  });

  it("lists sessions with their rooms", () => {
    const [entry] = new Messages(false).list([session]);
    assert.deepEqual([entry!.id, entry!.rooms], [session.id, ["a"]]);
  });

  it("sends no lifecycle event wired back to an out node, in either mode", () => {
    const messages = new Messages(true);
    const event = messages.disconnected(session, 1000, "", "peer", PLAIN);
    assert.equal(messages.toFrame(event), undefined);
    assert.equal(new Messages(false).toFrame(event), undefined);
    assert.equal(messages.toFrame({ event: "connect", topic: "not ours" }), '{"event":"connect","topic":"not ours"}', "without a WebSocket session it is data");
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

describe("commandOf", () => {
  const from = { _session: { type: "websocket", id: "s1" } };

  it("sends as core does when nothing names a target: to msg._session's session, else to everyone", () => {
    for (const msg of [{ payload: 1, ...from }, { payload: 1 }]) {
      assert.deepEqual(commandOf(msg), { action: "send" }, "no target of its own");
    }
    assert.deepEqual(targetOf({ payload: 1, ...from }), { kind: "session", id: "s1" });
    assert.deepEqual(targetOf({ payload: 1 }), { kind: "all" });
  });

  it("reads msg.to, msg.room and msg.except", () => {
    assert.deepEqual(commandOf({ to: "*", except: "s1" }), { action: "send", target: { kind: "all", except: ["s1"] } });
    assert.deepEqual(commandOf({ to: ["a", "b"], room: "r", ...from }), { action: "send", target: { kind: "sessions", ids: ["a", "b"], rooms: ["r"], except: undefined } });
    assert.deepEqual(commandOf({ except: "s1", ...from }), { action: "send", target: { kind: "all", except: ["s1"] } });
  });

  it("reads join, leave, close and getSessions", () => {
    assert.deepEqual(commandOf({ action: "join", room: ["x", "y"], ...from }), { action: "join", rooms: ["x", "y"], target: { kind: "session", id: "s1" } });
    assert.deepEqual(commandOf({ action: "leave", room: true, to: "a" }), { action: "leave", rooms: true, target: { kind: "sessions", ids: ["a"], rooms: undefined, except: undefined } });
    assert.deepEqual(commandOf({ action: "close", ...from }), { action: "close", target: { kind: "session", id: "s1" }, code: 1000, reason: "" });
    assert.deepEqual(commandOf({ action: "getSessions", room: "x" }), { action: "getSessions", rooms: ["x"] });
  });

  it("refuses what it cannot act on, with a catalog key", () => {
    const key = (msg: Record<string, unknown>): string => {
      try {
        commandOf(msg);
      } catch (error) {
        assert.ok(error instanceof CommandError);
        return error.key;
      }
      return "no error";
    };
    assert.equal(key({ action: "subscribe" }), "unknown-action");
    assert.equal(key({ action: "close" }), "close-target", "close never means everyone by default");
    assert.equal(key({ action: "join", room: "x" }), "member-target");
    assert.equal(key({ action: "join", room: 3, ...from }), "bad-room");
    assert.equal(key({ to: [1] }), "bad-ids");
    assert.equal(key({ action: "close", code: 1006, ...from }), "bad-close-code");
    assert.equal(key({ action: "close", reason: "x".repeat(124), ...from }), "bad-close-reason");
  });
});
