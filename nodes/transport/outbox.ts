import type { FrameData } from "./codec";

/** How much a client connection keeps while it is down: messages, bytes, and how long each may wait. */
export interface OutboxLimits {
  readonly count: number;
  readonly bytes: number;
  readonly ageMs: number;
}

interface Entry {
  readonly frame: FrameData;
  readonly bytes: number;
  readonly at: number;
}

/**
 * Messages sent while a client connection is down, kept in order within
 * their limits: when a new one does not fit, the oldest go first; one that
 * waited too long is not sent. Each leaves the outbox once, when it is sent
 * or dropped, so nothing in it is sent twice.
 */
export class Outbox {
  private entries: Entry[] = [];
  private head = 0;
  private bytes = 0;

  constructor(private readonly limits: OutboxLimits) {}

  /** Messages waiting. */
  get size(): number {
    return this.entries.length - this.head;
  }

  /** Keeps `frame`; resolves how many older ones had to go to make room (the frame itself when it alone is too big). */
  push(frame: FrameData, now: number): number {
    const bytes = typeof frame === "string" ? Buffer.byteLength(frame) : frame.length;
    if (bytes > this.limits.bytes || this.limits.count < 1) {
      return 1;
    }
    let dropped = 0;
    while (this.size >= this.limits.count || this.bytes + bytes > this.limits.bytes) {
      this.shift();
      dropped++;
    }
    this.entries.push({ frame, bytes, at: now });
    this.bytes += bytes;
    return dropped;
  }

  /** Takes every message out, in order: those still young enough to send, and how many were too old. */
  drain(now: number): { frames: FrameData[]; expired: number } {
    const frames: FrameData[] = [];
    let expired = 0;
    while (this.size > 0) {
      const entry = this.shift();
      if (now - entry.at > this.limits.ageMs) {
        expired++;
      } else {
        frames.push(entry.frame);
      }
    }
    return { frames, expired };
  }

  /** Empties it; returns how many messages were discarded. */
  clear(): number {
    const discarded = this.size;
    this.entries = [];
    this.head = 0;
    this.bytes = 0;
    return discarded;
  }

  private shift(): Entry {
    const entry = this.entries[this.head++]!;
    this.bytes -= entry.bytes;
    // Compact now and then, so a long outage does not keep a growing array.
    if (this.head > 1024 && this.head * 2 > this.entries.length) {
      this.entries = this.entries.slice(this.head);
      this.head = 0;
    }
    return entry;
  }
}
