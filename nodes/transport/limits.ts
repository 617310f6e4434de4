/** Which limit a session went over, reported with `cause: "limit"`. */
export type LimitName = "maxPayload" | "maxFragments" | "maxSessions" | "rate" | "backpressure";

/** What happens to a session that reads slower than the flow sends: its new messages are dropped, or it is closed. */
export type BackpressurePolicy = "drop" | "close";

/** The limits an endpoint holds each of its sessions to. */
export interface SessionLimits {
  /** Messages a session may send per second, with a burst; undefined for no limit. */
  readonly rate?: { readonly perSecond: number; readonly burst: number };
  /** Bytes queued for a session (`ws`'s `bufferedAmount`) past which the policy applies. */
  readonly highWaterMark: number;
  readonly backpressure: BackpressurePolicy;
}

/** The largest message a listener takes by default: 16 MiB (`ws` alone takes 100 MiB). */
export const DEFAULT_MAX_PAYLOAD = 16 * 1024 * 1024;

/**
 * Bytes that may wait for one slow session by default: 1 MiB. A client that
 * stops reading then holds about that much of Node-RED's memory, however much
 * the flows send, while the others get every message.
 */
export const DEFAULT_HIGH_WATER_MARK = 1024 * 1024;

export const DEFAULT_LIMITS: SessionLimits = { highWaterMark: DEFAULT_HIGH_WATER_MARK, backpressure: "drop" };

/** Close code for a session over a rate or backpressure limit (RFC 6455: policy violation). */
export const CLOSE_POLICY = 1008;

/** The `ws` error codes that mean a peer's message went over a size limit, and which limit. */
export function limitOfError(code: string | undefined): LimitName | undefined {
  switch (code) {
    case "WS_ERR_UNSUPPORTED_MESSAGE_LENGTH":
    case "WS_ERR_UNSUPPORTED_DATA_PAYLOAD_LENGTH":
      return "maxPayload";
    case "WS_ERR_TOO_MANY_BUFFERED_PARTS":
      return "maxFragments";
    default:
      return undefined;
  }
}

/**
 * A token bucket: `perSecond` tokens a second, holding at most `burst`. Each
 * message takes one; a message that finds none is over the rate.
 */
export class RateBucket {
  private tokens: number;
  private last: number;

  constructor(
    private readonly perSecond: number,
    private readonly burst: number,
    now: number,
  ) {
    this.tokens = burst;
    this.last = now;
  }

  /** Takes a token at time `now` (ms); false when there was none. */
  take(now: number): boolean {
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) * this.perSecond) / 1000);
    this.last = now;
    if (this.tokens < 1) {
      return false;
    }
    this.tokens -= 1;
    return true;
  }
}
