import assert from "node:assert/strict";
import type { EndpointState } from "../../nodes/adapters/endpoint-hub";
import { statusOf, StatusTexts, type Translate } from "../../nodes/adapters/status";

/** A stand-in for Node-RED's i18next, with its __name__ interpolation, that counts its calls. */
function catalog(entries: Record<string, string>): { t: Translate; calls: () => number } {
  let calls = 0;
  const t: Translate = (key, params = {}) => {
    calls++;
    return (entries[key] ?? key).replace(/__(\w+)__/g, (_match, name: string) => String(params[name]));
  };
  return { t, calls: () => calls };
}

describe("StatusTexts", () => {
  it("puts the client count into a text translated once", () => {
    const { t, calls } = catalog({ "flowsocket.status.connected": "__clients__ connected" });
    const texts = new StatusTexts(t);
    assert.deepEqual([0, 1, 250].map((n) => texts.connected(n)), ["0 connected", "1 connected", "250 connected"]);
    assert.equal(calls(), 1);
  });

  it("keeps words after the number, and the number wherever it appears", () => {
    const texts = new StatusTexts(catalog({ "flowsocket.status.connected": "verbunden: __clients__ Clients (__clients__)" }).t);
    assert.equal(texts.connected(7), "verbunden: 7 Clients (7)");
  });

  it("caches the other texts and shows a text without the number as it is", () => {
    const { t, calls } = catalog({ "flowsocket.status.connecting": "connecting" });
    const texts = new StatusTexts(t);
    assert.equal(texts.text("connecting"), "connecting");
    assert.equal(texts.text("connecting"), "connecting");
    assert.equal(calls(), 1);
    assert.equal(texts.connected(3), "flowsocket.status.connected");
  });
});

describe("statusOf", () => {
  const texts = new StatusTexts(
    catalog({
      "flowsocket.status.connected": "__clients__ connected",
      "flowsocket.status.connected-one": "connected",
      "flowsocket.status.connecting": "connecting",
      "flowsocket.status.disconnected": "disconnected",
      "flowsocket.status.path-in-use": "path in use",
    }).t,
  );
  const state = (fields: Partial<EndpointState>): EndpointState => ({ event: "connect", count: 1, ...fields });

  it("shows a listener's clients, with the event and session for Status nodes", () => {
    assert.deepEqual(statusOf(state({ sessionId: "s1", count: 2 }), true, texts), {
      fill: "green",
      shape: "dot",
      text: "2 connected",
      event: "connect",
      _session: { type: "websocket", id: "s1" },
    });
    assert.deepEqual(statusOf(state({ event: "disconnect", count: 0, quiet: true }), true, texts), {
      fill: "green",
      shape: "ring",
      text: "0 connected",
    });
  });

  it("shows a client connection's state and failures", () => {
    assert.equal(statusOf(state({ event: "connecting", count: 0 }), false, texts).text, "connecting");
    assert.equal(statusOf(state({}), false, texts).text, "connected");
    assert.equal(statusOf(state({ event: "disconnect", count: 0 }), false, texts).fill, "red");
    assert.equal(statusOf(state({ event: "error", count: 0, failure: "path-in-use" }), true, texts).text, "path in use");
  });
});
