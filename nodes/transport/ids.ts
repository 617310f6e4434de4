import { randomBytes } from "node:crypto";

/**
 * Ids in Node-RED's shape (16 hex digits), for sessions and messages. Each
 * one needs only to be unique, not unguessable: a random prefix is drawn once
 * and a counter makes the rest, where Node-RED's own generator calls
 * Math.random() eight times per id and crypto.randomBytes() costs a system
 * call or a pool refill.
 */
export class IdSequence {
  private prefix = "";
  /** Starts at 0x10000000 so it always has eight hex digits without padding. */
  private counter = 0;

  next(): string {
    if (this.counter === 0 || this.counter > 0xffffffff) {
      this.prefix = randomBytes(4).toString("hex");
      this.counter = 0x10000000;
    }
    return this.prefix + (this.counter++).toString(16);
  }
}
