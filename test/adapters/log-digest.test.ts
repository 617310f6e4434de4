import assert from "node:assert/strict";
import { LogDigest } from "../../nodes/adapters/log-digest";

describe("LogDigest", () => {
  it("writes the first line of a kind, counts the rest, and says how many when the interval ends", async () => {
    const lines: string[] = [];
    const digest = new LogDigest(
      (line) => lines.push(line),
      (count, seconds, first) => `${count} more in ${seconds} s: ${first}`,
      50,
    );
    for (let i = 0; i < 100; i++) {
      digest.add("bad-utf8", `session ${i}: invalid UTF-8`);
    }
    digest.add("too-big", "session x: too big");
    assert.deepEqual(lines, ["session 0: invalid UTF-8", "session x: too big"]);
    // The interval is 50 ms; the digest comes by itself within a bounded wait.
    const deadline = Date.now() + 2000;
    while (lines.length < 3 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    assert.deepEqual(lines.slice(2), ["99 more in 0 s: session 0: invalid UTF-8"], "a kind seen once writes no digest");
    digest.add("bad-utf8", "session 100: invalid UTF-8");
    assert.equal(lines.at(-1), "session 100: invalid UTF-8", "a new interval starts with a line of its own");
  });

  it("writes what it counted when it is flushed, as a stopping listener does", () => {
    const lines: string[] = [];
    const digest = new LogDigest((line) => lines.push(line), (count) => `${count} more`);
    digest.add("a", "first");
    digest.add("a", "second");
    digest.flush();
    assert.deepEqual(lines, ["first", "1 more"]);
    digest.flush();
    assert.deepEqual(lines, ["first", "1 more"], "nothing twice");
  });
});
