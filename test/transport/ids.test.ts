import assert from "node:assert/strict";
import { IdSequence, RandomIds } from "../../nodes/transport/ids";

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

describe("RandomIds", () => {
  it("makes unique ids of 16 hex digits that do not follow from one another", () => {
    const ids = new RandomIds();
    const made = Array.from({ length: 10000 }, () => ids.next());
    made.forEach((id) => assert.match(id, /^[0-9a-f]{16}$/));
    assert.equal(new Set(made).size, made.length);
    // Neighbours share no long prefix, as counter-made ids would.
    const shared = made.slice(1).filter((id, i) => id.slice(0, 8) === made[i]!.slice(0, 8)).length;
    assert.ok(shared < 5, `${shared} neighbours share their first 8 digits`);
  });
});
