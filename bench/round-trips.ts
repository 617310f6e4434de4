/** Round trips of echoed messages: how many came back while counting was on, and their times. */
import { performance } from "node:perf_hooks";
import type { Measured } from "./protocol";

function percentile(sorted: Float64Array, p: number): number {
  return sorted.length === 0 ? 0 : sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))]!;
}

/** One connection's messages in flight: an echo keeps each connection's order, so send times queue up in order. */
export interface InFlight {
  /** `messages` have just been sent. */
  sent(messages: number): void;
  /** `messages` have just come back, the oldest first. */
  returned(messages: number): void;
  /** How many have been sent and are not back yet. */
  readonly outstanding: number;
}

export class RoundTrips {
  /** Whether returns count now (the measuring window). */
  counting = false;
  private count = 0;
  private readonly rtts: number[] = [];

  /** The send times of one more connection. */
  connection(): InFlight {
    const sentAt: number[] = [];
    return {
      sent: (messages) => {
        const now = performance.now();
        for (let i = 0; i < messages; i++) {
          sentAt.push(now);
        }
      },
      returned: (messages) => {
        const now = performance.now();
        for (let i = 0; i < messages; i++) {
          const start = sentAt.shift()!;
          if (this.counting) {
            this.count++;
            this.rtts.push(now - start);
          }
        }
      },
      get outstanding() {
        return sentAt.length;
      },
    };
  }

  /** What was counted over a window of `seconds`: round trips, and their median and 99th percentile in milliseconds. */
  measured(seconds: number): Measured {
    const sorted = Float64Array.from(this.rtts).sort();
    return { count: this.count, seconds, p50: percentile(sorted, 50), p99: percentile(sorted, 99) };
  }
}
