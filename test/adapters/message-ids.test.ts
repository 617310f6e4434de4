import assert from "node:assert/strict";
import { MessageIds } from "../../nodes/adapters/message-ids";

describe("MessageIds", () => {
  it("makes unique ids of 16 hex digits, like Node-RED's", () => {
    const ids = new MessageIds();
    const seen = new Set<string>();
    for (let i = 0; i < 100000; i++) {
      const id = ids.next();
      assert.match(id, /^[0-9a-f]{16}$/);
      seen.add(id);
    }
    assert.equal(seen.size, 100000);
  });

  it("draws a different prefix for each generator", () => {
    assert.notEqual(new MessageIds().next().slice(0, 8), new MessageIds().next().slice(0, 8));
  });
});
