import assert from "node:assert/strict";
import { decodeFrame, frameToMessage, messageToFrame } from "../../nodes/transport/codec";

describe("codec", () => {
  describe("decodeFrame", () => {
    it("gives text frames as strings and binary frames as Buffers", () => {
      assert.equal(decodeFrame(Buffer.from("héllo"), false), "héllo");
      const binary = decodeFrame(Buffer.from([0, 1, 2]), true);
      assert.ok(Buffer.isBuffer(binary));
      assert.deepEqual([...binary], [0, 1, 2]);
    });

    it("joins fragmented and ArrayBuffer data", () => {
      assert.equal(decodeFrame([Buffer.from("ab"), Buffer.from("cd")], false), "abcd");
      assert.equal(decodeFrame(new Uint8Array([104, 105]).buffer, false), "hi");
    });
  });

  describe("frameToMessage", () => {
    it("puts the frame in payload without wholemsg", () => {
      assert.deepEqual(frameToMessage('{"a":1}', false), { payload: '{"a":1}' });
    });

    it("makes a JSON object the whole message with wholemsg", () => {
      assert.deepEqual(frameToMessage('{"payload":3,"topic":"t"}', true), { payload: 3, topic: "t" });
    });

    it("falls back to payload for JSON that is not an object", () => {
      assert.deepEqual(frameToMessage("42", true), { payload: 42 });
      assert.deepEqual(frameToMessage("[1,2]", true), { payload: [1, 2] });
      assert.deepEqual(frameToMessage("null", true), { payload: null });
      assert.deepEqual(frameToMessage('"s"', true), { payload: "s" });
    });

    it("falls back to the text for non-JSON, and never parses binary", () => {
      assert.deepEqual(frameToMessage("not json {", true), { payload: "not json {" });
      // Refused at the first character, tried and refused later, and empty: all the text as it was.
      for (const text of ["xxxx", "hello {\"a\":1}", "nope", "{broken", "-", "", " \t\r\n"]) {
        assert.deepEqual(frameToMessage(text, true), { payload: text }, JSON.stringify(text));
      }
      // JSON's own white space before a value, and every kind of value's first character.
      assert.deepEqual(frameToMessage(' \t\r\n{"a":1}', true), { a: 1 });
      for (const [text, value] of [["true", true], ["false", false], ["-1.5", -1.5], ["0", 0], ["9", 9], [' "s"', "s"], ["[]", []]] as const) {
        assert.deepEqual(frameToMessage(text, true), { payload: value }, text);
      }
      const binary = Buffer.from('{"a":1}');
      assert.equal(frameToMessage(binary, true).payload, binary);
    });
  });

  describe("messageToFrame", () => {
    it("sends strings and Buffers as they are", () => {
      assert.equal(messageToFrame({ payload: "hi" }, false), "hi");
      const buffer = Buffer.from([1]);
      assert.equal(messageToFrame({ payload: buffer }, false), buffer);
    });

    it("sends 0, false and the empty string", () => {
      assert.equal(messageToFrame({ payload: 0 }, false), "0");
      assert.equal(messageToFrame({ payload: false }, false), "false");
      assert.equal(messageToFrame({ payload: "" }, false), "");
    });

    it("sends objects as JSON and nothing without a payload", () => {
      assert.equal(messageToFrame({ payload: { a: [1] } }, false), '{"a":[1]}');
      assert.equal(messageToFrame({ payload: null }, false), "null");
      assert.equal(messageToFrame({ topic: "x" }, false), undefined);
    });

    it("sends the whole message without _session in wholemsg mode", () => {
      const msg = { payload: 1, topic: "t", _session: { type: "websocket", id: "x" } };
      assert.deepEqual(JSON.parse(messageToFrame(msg, true) as string), { payload: 1, topic: "t" });
      assert.deepEqual(msg._session, { type: "websocket", id: "x" }, "the message itself keeps its session");
      assert.deepEqual(Object.keys(msg), ["payload", "topic", "_session"], "in its place");
    });

    it("leaves out the in node's receivedAt with a session's details, and keeps a receivedAt of the flow's own", () => {
      const details = { type: "websocket", id: "x", path: "/ws", openedAt: 1 };
      const stamped = { payload: 1, receivedAt: 2, topic: "t", _session: details };
      assert.equal(messageToFrame(stamped, true), '{"payload":1,"topic":"t"}');
      assert.deepEqual(Object.keys(stamped), ["payload", "receivedAt", "topic", "_session"], "the message keeps both, in their places");
      assert.deepEqual([stamped.receivedAt, stamped._session], [2, details]);
      // A core flow's own property of that name: no details in its session (metadata off), or no session at all.
      assert.equal(messageToFrame({ payload: 1, receivedAt: 2, _session: { type: "websocket", id: "x" } }, true), '{"payload":1,"receivedAt":2}');
      assert.equal(messageToFrame({ payload: 1, receivedAt: 2 }, true), '{"payload":1,"receivedAt":2}');
      const unstamped = { payload: 1, _session: details };
      assert.equal(messageToFrame(unstamped, true), '{"payload":1}');
      assert.deepEqual(Object.keys(unstamped), ["payload", "_session"], "no receivedAt added");
      const readOnly: Record<string, unknown> = { payload: 3, _session: details };
      Object.defineProperty(readOnly, "receivedAt", { value: 4, enumerable: true, writable: false });
      assert.equal(messageToFrame(readOnly, true), '{"payload":3}');
      assert.equal(readOnly._session, details, "put back after the failed set-aside");
    });

    it("leaves a message's session in place when JSON fails, and copes with a session it cannot set aside", () => {
      const circular: Record<string, unknown> = { _session: { type: "websocket", id: "x" } };
      circular.self = circular;
      assert.throws(() => messageToFrame(circular, true), TypeError);
      assert.deepEqual(circular._session, { type: "websocket", id: "x" });
      const frozen = Object.freeze({ payload: 2, _session: { type: "websocket", id: "y" } });
      assert.equal(messageToFrame(frozen, true), '{"payload":2}');
    });

    it("throws on values JSON cannot hold", () => {
      const circular: Record<string, unknown> = {};
      circular.self = circular;
      assert.throws(() => messageToFrame({ payload: circular }, false), TypeError);
    });
  });
});
