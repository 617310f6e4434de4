/**
 * The compressed echo's messages: JSON-like text of at least 1 KiB, the
 * threshold below which `ws` 7 (core's client, in Node-RED's own
 * dependencies) sends a message uncompressed, so every message of the case
 * is compressed both ways. (`ws` 8, ours and the load generator's, applies
 * the threshold only without context takeover, and compresses every
 * message otherwise.)
 */

/** `ws`'s default permessage-deflate threshold, which our `compressionThreshold` keeps by default: 1024 bytes. */
export const COMPRESSION_THRESHOLD = 1024;

const UNITS = ["C", "%", "hPa", "lx", "ppm"] as const;

/** A small seeded generator (mulberry32): the same messages on every run and in the test. */
function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * `count` different messages of at least `minBytes` bytes each (ASCII, so
 * characters are bytes): a batch of sensor readings whose keys repeat and
 * whose values do not, as telemetry looks. Identical messages would
 * compress to a few bytes against the previous one in deflate's 32 KiB
 * window (both sides keep their context by default): the case sends the
 * messages in turn, and 64 of them are over twice that window.
 */
export function compressibleMessages(count: number, minBytes = COMPRESSION_THRESHOLD): string[] {
  const random = seeded(1);
  const messages: string[] = [];
  let reading = 0;
  for (let i = 0; i < count; i++) {
    const readings: string[] = [];
    // The brackets and the commas between readings: 1 + the sum of (reading + 1).
    let length = 1;
    while (length < minBytes) {
      const text = JSON.stringify({
        id: reading++,
        sensor: `sensor-${Math.floor(random() * 500)}`,
        value: Math.round(random() * 1e6) / 1000,
        unit: UNITS[Math.floor(random() * UNITS.length)],
        ok: random() > 0.1,
        ts: 1700000000000 + Math.floor(random() * 1e9),
      });
      readings.push(text);
      length += text.length + 1;
    }
    messages.push(`[${readings.join(",")}]`);
  }
  return messages;
}
