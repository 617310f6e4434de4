import { randomBytes } from "node:crypto";

/**
 * Message ids in Node-RED's shape (16 hex digits). A message id needs only to
 * be unique: a random prefix is drawn once and a counter makes the rest,
 * where Node-RED's own generator calls Math.random() eight times per id.
 */
export class IdSequence {
  private prefix = "";
  /** Starts at 0x10000000 so it always has eight hex digits without padding. */
  private counter = 0;

  /** @returns a new id, 16 lower-case hex digits, never the same twice from one sequence. */
  next(): string {
    if (this.counter === 0 || this.counter > 0xffffffff) {
      this.prefix = randomBytes(4).toString("hex");
      this.counter = 0x10000000;
    }
    return this.prefix + (this.counter++).toString(16);
  }
}

/** Ids taken from one pool refill of random bytes. */
const IDS_PER_REFILL = 256;

/**
 * Session ids in Node-RED's shape (16 hex digits) that cannot be guessed from
 * one another, as core's cannot: a flow may trust `_session.id` to tell its
 * clients apart. Random bytes are drawn for 256 ids at a time.
 */
export class RandomIds {
  private pool = Buffer.alloc(0);
  private offset = 0;

  /** @returns 16 hex digits from 64 random bits. */
  next(): string {
    if (this.offset >= this.pool.length) {
      this.pool = randomBytes(8 * IDS_PER_REFILL);
      this.offset = 0;
    }
    const id = this.pool.toString("hex", this.offset, this.offset + 8);
    this.offset += 8;
    return id;
  }
}
