/**
 * Keeps a hostile or broken peer from flooding Node-RED's log: the first
 * line of each kind is written at once; the others of that kind within the
 * interval are counted, and one line at its end says how many there were.
 */
export class LogDigest {
  private readonly kinds = new Map<string, { count: number; first: string }>();
  private timer: NodeJS.Timeout | undefined;

  /**
   * @param write writes one line (a warning or an error on the node).
   * @param summary the line for `count` more of a kind within `seconds`, after `first`.
   */
  constructor(
    private readonly write: (line: string) => void,
    private readonly summary: (count: number, seconds: number, first: string) => string,
    private readonly intervalMs = 60_000,
  ) {}

  /** Writes `line` if it is the first of `kind` in this interval, else counts it. */
  add(kind: string, line: string): void {
    const seen = this.kinds.get(kind);
    if (seen) {
      seen.count++;
      return;
    }
    this.kinds.set(kind, { count: 0, first: line });
    this.write(line);
    if (!this.timer) {
      this.timer = setTimeout(() => this.flush(), this.intervalMs);
      // A digest waiting to be written must not keep Node-RED from exiting.
      this.timer.unref();
    }
  }

  /** Writes the counts of this interval and starts a new one; also when the node stops. */
  flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    for (const { count, first } of this.kinds.values()) {
      if (count > 0) {
        this.write(this.summary(count, Math.round(this.intervalMs / 1000), first));
      }
    }
    this.kinds.clear();
  }
}

/** A node's digest: its warnings, with the catalog's summary line. */
export function warningDigest(node: { warn(line: string): void }, translate: (key: string, params: Record<string, string | number>) => string): LogDigest {
  return new LogDigest(
    (line) => node.warn(line),
    (count, seconds, first) => translate("flowsocket.errors.digest", { count, seconds, first }),
  );
}
