import assert from "node:assert/strict";
import { Outbox } from "../../nodes/transport/outbox";

describe("Outbox", () => {
  it("keeps messages in order and lets them out once", () => {
    const outbox = new Outbox({ count: 10, bytes: 1000, ageMs: 1000 });
    outbox.push("a", 0);
    outbox.push(Buffer.from("b"), 0);
    assert.deepEqual(outbox.drain(10), { frames: ["a", Buffer.from("b")], expired: 0 });
    assert.deepEqual(outbox.drain(10), { frames: [], expired: 0 }, "nothing twice");
  });

  it("drops the oldest for the count and the bytes, and refuses one too big for it alone", () => {
    const outbox = new Outbox({ count: 2, bytes: 10, ageMs: 1000 });
    assert.equal(outbox.push("1", 0), 0);
    assert.equal(outbox.push("2", 0), 0);
    assert.equal(outbox.push("3", 0), 1, "the count: the oldest goes");
    assert.equal(outbox.push("4444444444", 0), 2, "the bytes: both go for a 10-byte message");
    assert.equal(outbox.push("x".repeat(11), 0), 1, "larger than the whole queue: itself");
    assert.deepEqual(outbox.drain(0).frames, ["4444444444"]);
  });

  it("does not send what waited too long, and tells how many", () => {
    const outbox = new Outbox({ count: 10, bytes: 1000, ageMs: 100 });
    outbox.push("old", 0);
    outbox.push("new", 150);
    assert.deepEqual(outbox.drain(200), { frames: ["new"], expired: 1 });
  });

  it("says how many it discards when cleared, and holds up over a long outage", () => {
    const outbox = new Outbox({ count: 5, bytes: 1_000_000, ageMs: 1000 });
    for (let i = 0; i < 10_000; i++) {
      outbox.push(`m${i}`, 0);
    }
    assert.equal(outbox.size, 5);
    assert.deepEqual(outbox.drain(0).frames, ["m9995", "m9996", "m9997", "m9998", "m9999"]);
    outbox.push("a", 0);
    outbox.push("b", 0);
    assert.equal(outbox.clear(), 2);
    assert.equal(outbox.size, 0);
  });
});
