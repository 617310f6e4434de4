/**
 * Remembers the last `max` keys seen, to tell the first time of each from
 * the ones after: used to report replies to a departed session once per
 * session, so a client that connects, sends and leaves at once cannot make
 * a log line and a Catch message of every reply.
 */
export class OncePerKey {
  private readonly seen = new Set<string>();

  constructor(private readonly max = 1000) {}

  /** True the first time `key` is given (since it was last forgotten). */
  first(key: string): boolean {
    if (this.seen.has(key)) {
      return false;
    }
    this.seen.add(key);
    if (this.seen.size > this.max) {
      // A Set keeps its order of insertion: the oldest goes first.
      this.seen.delete(this.seen.values().next().value!);
    }
    return true;
  }
}
