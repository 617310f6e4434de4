export interface BackoffOptions {
  /** Delay before the first retry, in milliseconds. */
  initialMs: number;
  /** Longest delay, in milliseconds. */
  maxMs: number;
}

/**
 * Core's nodes retry every 3 s whatever happens; this starts sooner, so a
 * server restart costs less, and never waits longer than core would.
 */
export const DEFAULT_BACKOFF: BackoffOptions = { initialMs: 500, maxMs: 3000 };

/** Delays between reconnect attempts that double after each failure, up to a ceiling. */
export class Backoff {
  private attempt = 0;

  constructor(private readonly options: BackoffOptions = DEFAULT_BACKOFF) {}

  /** The delay before the next attempt, in milliseconds; each call counts one failure. */
  next(): number {
    const delay = Math.min(this.options.maxMs, this.options.initialMs * 2 ** this.attempt);
    this.attempt = Math.min(this.attempt + 1, 30);
    return delay;
  }

  /** Starts over after a connection succeeded. */
  reset(): void {
    this.attempt = 0;
  }
}
