import { randomBytes } from "node:crypto";

/**
 * Message ids in Node-RED's shape (16 hex digits) for the messages in nodes
 * emit. Node-RED would otherwise make each one from eight Math.random()
 * calls; here a random prefix is drawn once and a counter makes the rest
 * unique, which is all Node-RED asks of `_msgid`.
 */
export class MessageIds {
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
