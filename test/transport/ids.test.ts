import assert from "node:assert/strict";
import { IdSequence } from "../../nodes/transport/ids";

describe("IdSequence", () => {
  it("makes unique ids of 16 hex digits, like Node-RED's", () => {
    const ids = new IdSequence();
    const seen = new Set<string>();
    for (let i = 0; i < 100000; i++) {
      const id = ids.next();
      assert.match(id, /^[0-9a-f]{16}$/);
      seen.add(id);
    }
    assert.equal(seen.size, 100000);
  });

  it("draws a different prefix for each generator", () => {
    assert.notEqual(new IdSequence().next().slice(0, 8), new IdSequence().next().slice(0, 8));
  });
});
