/**
 * Source addresses for the load generator's connections. A client socket
 * bound to an address (`localAddress`) takes its port from that address's
 * ephemeral range (about 28,000 ports on Linux), and a closed connection
 * holds its port for a minute in TIME_WAIT. Spreading connections over
 * 127.0.0.2 … 127.0.0.254 (all loopback on Linux) lifts both bounds: tens of
 * thousands of sessions at once, and case after case of them.
 */

const FIRST = 2;
const LAST = 254;

export class SourceAddresses {
  private used = 0;

  /** @param perAddress connections from one address before the next is taken. */
  constructor(private readonly perAddress: number) {}

  /** The address for the next connection; after 127.0.0.254 it starts again at 127.0.0.2. */
  next(): string {
    const index = Math.floor(this.used++ / this.perAddress) % (LAST - FIRST + 1);
    return `127.0.0.${FIRST + index}`;
  }
}
