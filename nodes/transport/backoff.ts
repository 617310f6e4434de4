export interface BackoffOptions {
  /** Delay before the first retry, in milliseconds. */
  initialMs: number;
  /** Longest delay, in milliseconds. */
  maxMs: number;
  /** How much each delay grows over the one before (2 doubles it; 1 keeps it fixed). */
  factor?: number;
  /**
   * Random spread, 0 to 1: each delay is drawn between (1 - jitter) and 1
   * times its value, so a fleet of clients that lost one server does not
   * come back in step.
   */
  jitter?: number;
  /** Attempts after which to give up; 0 or absent for no limit. */
  maxAttempts?: number;
}

/**
 * Core's nodes retry every 3 s whatever happens; this starts sooner, so a
 * server restart costs less, and never waits longer than core would.
 */
export const DEFAULT_BACKOFF: Required<BackoffOptions> = { initialMs: 500, maxMs: 3000, factor: 2, jitter: 0, maxAttempts: 0 };

/**
 * Delays between reconnect attempts that grow by a factor after each
 * failure, up to a ceiling, with an optional random spread and an optional
 * limit on the number of attempts.
 */
export class Backoff {
  private readonly options: Required<BackoffOptions>;
  /** Retries scheduled since the last reset: the delay's growth. */
  private steps = 0;
  /** Attempts that failed in a row since the last reset: the limit. */
  private failures = 0;

  /** @param random a source of numbers in [0, 1), for the spread; tests give a fixed one. */
  constructor(
    options: BackoffOptions = DEFAULT_BACKOFF,
    private readonly random: () => number = Math.random,
  ) {
    this.options = { ...DEFAULT_BACKOFF, ...options };
  }

  /**
   * The delay before the next attempt, in milliseconds, or undefined when it
   * is time to give up: `maxAttempts` attempts in a row have failed.
   *
   * @param failed whether an attempt failed (true) or an open connection
   *   dropped (false: that counts towards the delay, not the limit).
   */
  next(failed: boolean): number | undefined {
    const { initialMs, maxMs, factor, jitter, maxAttempts } = this.options;
    if (failed && maxAttempts > 0 && ++this.failures >= maxAttempts) {
      return undefined;
    }
    // Capped before it can overflow: factor ** 1000 is Infinity, and Infinity * 0 is NaN.
    const grown = Math.min(maxMs, initialMs * factor ** Math.min(this.steps++, 1000));
    return Math.round(grown * (1 - jitter * this.random()));
  }

  /** Starts over after a connection succeeded, or when a flow connects anew. */
  reset(): void {
    this.steps = 0;
    this.failures = 0;
  }
}
